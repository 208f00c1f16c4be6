import fs from "node:fs";
import os from "node:os";

/** Set to 1 to let root use config and intent files that other users own. */
export const ALLOW_OTHER_OWNERS = "HARK_ALLOW_OTHER_OWNERS";

/**
 * Why root must not use `file` (it belongs to another user, who could put commands or code in it that would then run
 * as root), or null when it may: hark does not run as root, the file is root's, or HARK_ALLOW_OTHER_OWNERS=1.
 */
export function unsafeForRoot(file: string, env: NodeJS.ProcessEnv = process.env): string | null {
    if (process.getuid?.() !== 0 || env[ALLOW_OTHER_OWNERS] === "1") return null;
    let uid: number;
    try {
        uid = fs.statSync(file).uid;
    } catch {
        return null;
    }
    if (uid === 0) return null;
    return `${file} belongs to ${userName(uid)}, not root: as root hark would run what it says with root's rights. Run hark as that user (the service runs as its own user), give the file to root, or set ${ALLOW_OTHER_OWNERS}=1 if you trust it`;
}

function userName(uid: number): string {
    try {
        const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.split(":")[2] === String(uid));
        if (line) return `${line.split(":")[0]} (uid ${uid})`;
    } catch { /* no passwd file */ }
    return uid === os.userInfo().uid ? os.userInfo().username : `uid ${uid}`;
}
