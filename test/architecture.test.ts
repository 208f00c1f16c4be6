import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { packageRoot } from "./helpers.ts";

const src = path.join(packageRoot, "src");

/** Every relative import of every source file, as [importing folder, imported folder] under src/ ("index" for src/index.ts). */
function folderImports(): Array<{ file: string; from: string; to: string }> {
    const out: Array<{ file: string; from: string; to: string }> = [];
    const folderOf = (file: string): string => path.relative(src, file).split(path.sep)[0]!.replace(/\.ts$/, "");
    const visit = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) visit(full);
            else if (entry.name.endsWith(".ts")) {
                for (const match of fs.readFileSync(full, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+["'](\.[^"']+)["']/g)) {
                    out.push({ file: path.relative(src, full), from: folderOf(full), to: folderOf(path.resolve(dir, match[1]!)) });
                }
            }
        }
    };
    visit(src);
    return out;
}

describe("the source tree's dependencies", () => {
    for (const leaf of ["template", "wyoming"]) {
        it(`${leaf === "template" ? "the template language" : "the Wyoming protocol"} is a leaf: it imports nothing else of hark's`, () => {
            const outside = folderImports().filter((i) => i.from === leaf && i.to !== leaf);
            assert.deepEqual(outside.map((i) => `${i.file} → ${i.to}`), []);
        });
    }

    it("no folder depends on itself through others", () => {
        const edges = new Map<string, Set<string>>();
        for (const { from, to } of folderImports()) if (from !== to) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
        const cycles: string[] = [];
        const walk = (start: string, at: string, trail: string[]): void => {
            for (const next of edges.get(at) ?? []) {
                if (next === start) cycles.push([...trail, next].join(" → "));
                else if (!trail.includes(next) && next > start) walk(start, next, [...trail, next]);
            }
        };
        for (const folder of edges.keys()) walk(folder, folder, [folder]);
        assert.deepEqual(cycles, []);
    });

    it("nothing below the pipeline reaches up to it or to the commands built on it", () => {
        const above = new Set(["pipeline", "web", "cli", "doctor", "train", "index"]);
        const upward = folderImports().filter((i) => !above.has(i.from) && above.has(i.to));
        assert.deepEqual(upward.map((i) => `${i.file} → ${i.to}`), []);
    });

    it("the rooms and the Wyoming service are handed the parts of the assistant they use, not the whole of it", () => {
        const whole: string[] = [];
        for (const file of ["voice.ts", "voice-setup.ts", "satellites.ts", "wyoming-service.ts", "../web/server.ts", "../web/live.ts"]) {
            const text = fs.readFileSync(path.join(src, "pipeline", file), "utf8");
            for (const match of text.matchAll(/:\s*Assistant\b/g)) whole.push(`${file}: ${text.slice(match.index, match.index + 30)}`);
        }
        assert.deepEqual(whole, []);
    });
});
