/**
 * Errors a user can meet. Each has a stable `code` (for scripts and tests) and a message that says what to do next.
 */
export class HarkError extends Error {
    /** Stable machine-readable code, e.g. `HARK_CONFIG_INVALID`. */
    public readonly code: string;
    /** Facts for the trace: what was run or asked (argv, URL), what came back (exit code, status) and why it failed. */
    public readonly detail?: Record<string, unknown>;

    public constructor(code: string, message: string, options?: ErrorOptions & { detail?: Record<string, unknown> }) {
        super(message, options);
        this.name = new.target.name;
        this.code = code;
        if (options?.detail) this.detail = options.detail;
    }
}

/** The config file is unreadable or does not match the schema. */
export class ConfigError extends HarkError {
    public constructor(message: string, options?: ErrorOptions) {
        super("HARK_CONFIG_INVALID", message, options);
    }
}

/** `file:line:column` as editors jump to it, or the file alone when the line is not known. */
export function filePosition(file: string, where: { line?: number; column?: number }): string {
    return where.line != null ? `${file}:${where.line}:${where.column ?? 1}` : file;
}

/** An intent file could not be loaded: syntax, schema, duplicate name or bad template. */
export class IntentLoadError extends HarkError {
    public readonly file: string;
    /** Where in the file, when known (1-based), as editors jump to `file:line:column`. */
    public readonly line?: number;
    public readonly column?: number;

    public constructor(file: string, reason: string, options?: ErrorOptions & { line?: number; column?: number }) {
        super("HARK_INTENT_INVALID", `${filePosition(file, options ?? {})}: ${reason}`, options);
        this.file = file;
        if (options?.line != null) {
            this.line = options.line;
            this.column = options.column ?? 1;
        }
    }
}


/** A program hark spawns (espeak-ng, aplay, amixer, ...) is missing or failed. */
export class ExternalProgramError extends HarkError {
    /** The program's name as spawned. */
    public readonly program: string;

    public constructor(program: string, message: string, options?: ErrorOptions & { detail?: Record<string, unknown> }) {
        super("HARK_PROGRAM_FAILED", `${program}: ${message}`, options);
        this.program = program;
    }
}

/** No playback device could be opened (no sound card, busy device). */
export class PlaybackError extends HarkError {
    public constructor(message: string, options?: ErrorOptions) {
        super("HARK_PLAYBACK_FAILED", message, options);
    }
}

/** A handler ran longer than its timeout. */
export class HandlerTimeoutError extends HarkError {
    public constructor(intent: string, timeoutMs: number) {
        super("HARK_HANDLER_TIMEOUT", `intent "${intent}" did not finish within ${timeoutMs} ms`);
    }
}

/** A handler used a service after its turn was over (it timed out, was cancelled, or had already answered). */
export class HandlerRevokedError extends HarkError {
    public constructor(intent: string, what: string, why: string) {
        super("HARK_HANDLER_REVOKED", `intent "${intent}" called ${what} after its turn ${why}; refused`);
    }
}

/** Arguments for an intent did not validate against its schema. */
export class ArgumentsInvalidError extends HarkError {
    public constructor(intent: string, details: string) {
        super("HARK_ARGS_INVALID", `arguments for "${intent}" are invalid: ${details}`);
    }
}

/** Returns a printable message for any thrown value. */
export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** A model file (GGUF, ggml) is missing, of the wrong format, or truncated. */
export class ModelFileError extends HarkError {
    public readonly file: string;

    public constructor(file: string, reason: string, options?: ErrorOptions) {
        super("HARK_MODEL_FILE", `${file}: ${reason}`, options);
        this.file = file;
    }
}

/** A model could not be downloaded (offline, HTTP error, checksum mismatch). */
export class DownloadError extends HarkError {
    public constructor(message: string, options?: ErrorOptions) {
        super("HARK_DOWNLOAD_FAILED", message, options);
    }
}

/** The language-model settings are wrong: unknown profile or model, bad parameter, bad adapter. */
export class LlmConfigError extends HarkError {
    public constructor(message: string, options?: ErrorOptions) {
        super("HARK_LLM_CONFIG", message, options);
    }
}
