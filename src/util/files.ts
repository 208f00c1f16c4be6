import fs from "node:fs";
import path from "node:path";

/** Writes a file through a temporary file and a rename, so a crash or a reader never sees half of it. */
export function writeFileAtomic(file: string, data: string | NodeJS.ArrayBufferView, modes?: { file: number; dir: number }): void {
    fs.mkdirSync(path.dirname(file), { recursive: true, ...(modes ? { mode: modes.dir } : {}) });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data, modes ? { mode: modes.file } : {});
    fs.renameSync(temp, file);
}

/**
 * Modes for what hark keeps about its users (traces, timers, state): never readable by others; readable by the
 * group only where the umask says the group is meant to read (the service's UMask=0027, for the hark group), so
 * under an ordinary umask (022) they are the owner's alone.
 */
export function privateModes(): { file: number; dir: number } {
    // The umask is the process's own and set at its start: read once, not at every trace line.
    if (modes == null) {
        const umask = currentUmask();
        const groupShared = (umask & 0o007) === 0o007 && (umask & 0o040) === 0;
        modes = groupShared ? { file: 0o640, dir: 0o750 } : { file: 0o600, dir: 0o700 };
    }
    return modes;
}
let modes: { file: number; dir: number } | null = null;

/** The process umask, read without changing it (Linux lists it in /proc/self/status). */
function currentUmask(): number {
    try {
        const line = /^Umask:\s*([0-7]+)$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
        if (line) return parseInt(line[1]!, 8);
    } catch { /* not Linux */ }
    return 0o022;
}
