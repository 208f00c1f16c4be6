// Part of `npm run build`: a dependency published as hundreds of small ES modules costs the built hark a file lookup,
// read and compile for each on every command (TypeBox: 200 modules, about 170 ms of a 0.6 s `hark ask`). Each such
// package is bundled into one file under dist/vendor/, and the built modules' imports of it are pointed there.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = path.join(root, "dist");
const packages = { "@sinclair/typebox": "typebox.js" };

function builtModules(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "vendor" ? [] : builtModules(file);
        return file.endsWith(".js") ? [file] : [];
    });
}

for (const [name, output] of Object.entries(packages)) {
    const outfile = path.join(dist, "vendor", output);
    await build({ stdin: { contents: `export * from ${JSON.stringify(name)};`, resolveDir: root }, bundle: true, format: "esm", platform: "node", target: "node20", outfile, logLevel: "error" });
    const specifier = new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(?\\s*)"${name.replace(/[/]/g, "\\/")}"`, "g");
    let rewritten = 0;
    for (const file of builtModules(dist)) {
        const code = fs.readFileSync(file, "utf8");
        let relative = path.relative(path.dirname(file), outfile).split(path.sep).join("/");
        if (!relative.startsWith(".")) relative = `./${relative}`;
        const changed = code.replace(specifier, (_, lead) => `${lead}"${relative}"`);
        if (changed !== code) {
            fs.writeFileSync(file, changed);
            rewritten++;
        }
    }
    if (rewritten === 0) throw new Error(`build-vendor: no built module imports ${name}; remove it from the list in scripts/build-vendor.mjs`);
    console.log(`build: ${name} bundled into dist/vendor/${output}, imported from it by ${rewritten} modules`);
}
