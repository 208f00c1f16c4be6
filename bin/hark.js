#!/usr/bin/env node
// hark runs the JavaScript built into dist/ (`npm run build`; scripts/setup.sh builds it) when that build is newer
// than every source file, and its TypeScript sources through tsx otherwise (a checkout being edited, or never built).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function newestChange(dir) {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        newest = Math.max(newest, entry.isDirectory() ? newestChange(file) : fs.statSync(file).mtimeMs);
    }
    return newest;
}

function buildIsCurrent() {
    try {
        return fs.statSync(path.join(root, "dist", ".built")).mtimeMs >= newestChange(path.join(root, "src"));
    } catch {
        return false;
    }
}

if (process.env.HARK_FROM_SOURCE !== "1" && buildIsCurrent()) {
    await import("../dist/cli/main.js");
} else {
    const { register } = await import("tsx/esm/api");
    register();
    await import("../src/cli/main.ts");
}
