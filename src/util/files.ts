import fs from "node:fs";
import path from "node:path";

/** Writes a file through a temporary file and a rename, so a crash or a reader never sees half of it. */
export function writeFileAtomic(file: string, data: string | NodeJS.ArrayBufferView): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
}
