import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** Options for {@link createLogger}. */
export interface LoggerOptions {
    /** pino level name. Defaults to `"info"`. */
    level?: string;
    /** Human-readable output through pino-pretty. Defaults to `false` (JSON lines, what journald wants). */
    pretty?: boolean;
    /** File descriptor to write to. Defaults to 2 (stderr), so that CLI output on stdout stays clean. */
    fd?: 1 | 2;
}

/** Creates hark's root logger; components take a child: `log.child({ component: "nlu" })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
    const level = options.level ?? "info";
    const fd = options.fd ?? 2;
    if (options.pretty) {
        return pino({
            level,
            transport: { target: "pino-pretty", options: { destination: fd, colorize: process.stderr.isTTY, ignore: "pid,hostname" } }
        });
    }
    return pino({ level, base: undefined }, pino.destination({ fd, sync: true }));
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
    return pino({ level: "silent" });
}
