import fs from "node:fs";
import { pino, type DestinationStream, type Logger } from "pino";
import type * as PinoPretty from "pino-pretty";
import { onFirstUse } from "../util/lazy.ts";

export type { Logger } from "pino";

/** Options for {@link createLogger}. */
export interface LoggerOptions {
    /** pino level name. Defaults to `"info"`. */
    level?: string;
    /**
     * Lines for people (pino-pretty) instead of JSON lines (what journald and scripts want). Defaults to whether the
     * output is a terminal.
     */
    pretty?: boolean;
    /** File descriptor to write to. Defaults to 2 (stderr), so that CLI output on stdout stays clean. */
    fd?: 1 | 2;
}

const pinoPretty = onFirstUse<typeof PinoPretty>("pino-pretty");

/** Creates hark's root logger; components take a child: `log.child({ component: "nlu" })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
    const level = options.level ?? "info";
    const fd = options.fd ?? 2;
    const tty = (fd === 1 ? process.stdout : process.stderr).isTTY;
    if (options.pretty ?? tty) return pino({ level, base: undefined }, humanLines(fd, level, tty));
    return pino({ level, base: undefined }, pino.destination({ fd, sync: true }));
}

/**
 * pino-pretty's lines, loaded with the first line written (a command that logs nothing never loads it). Above debug a
 * line is the message alone, an error's message appended: the message says what to do, and a stack trace only
 * buries it. At debug and trace every field and stack is shown.
 */
function humanLines(fd: 1 | 2, level: string, colorize: boolean): DestinationStream {
    const detailed = level === "debug" || level === "trace";
    let format: ((entry: object) => string) | undefined;
    return {
        write(line: string) {
            format ??= pinoPretty().prettyFactory({ colorize, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname", hideObject: !detailed });
            const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
            if (!detailed) {
                const reason = entry.err?.message;
                delete entry.err;
                if (reason && !entry.msg?.includes(reason)) entry.msg = entry.msg ? `${entry.msg}: ${reason}` : reason;
            }
            const text = format(entry);
            fs.writeSync(fd, text.endsWith("\n") ? text : `${text}\n`);
        }
    };
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
    return pino({ level: "silent" });
}
