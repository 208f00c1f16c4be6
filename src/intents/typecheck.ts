import { createRequire } from "node:module";
import path from "node:path";
import type * as TypeScript from "typescript";
import { packageRoot } from "../paths.ts";

const require = createRequire(import.meta.url);

/**
 * Type errors in TypeScript intent files, as `file:line:column: message`, checked against hark's own types (what
 * `import ... from "hark"` gives them). Loading an intent only strips its types, so a wrong argument type or a
 * misspelt service is otherwise found when the handler runs. Returns a reason instead when TypeScript is not
 * installed (an install without hark's development packages).
 */
export function typeErrors(files: readonly string[]): string[] | { unchecked: string } {
    if (files.length === 0) return [];
    let ts: typeof TypeScript;
    try {
        ts = require("typescript") as typeof TypeScript;
    } catch {
        return { unchecked: "TypeScript is not installed (npm ci installs it)" };
    }
    const program = ts.createProgram([...files], {
        strict: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, lib: ["lib.es2023.d.ts"], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, resolveJsonModule: true,
        baseUrl: packageRoot, paths: { hark: [path.join(packageRoot, "src", "index.ts")] },
        typeRoots: [path.join(packageRoot, "node_modules", "@types")], types: ["node"]
    });
    const wanted = new Set(files.map((f) => path.resolve(f)));
    return ts.getPreEmitDiagnostics(program)
        .filter((d) => d.file != null && wanted.has(path.resolve(d.file.fileName)))
        .map((d) => {
            const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
            return `${path.resolve(d.file!.fileName)}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
        });
}
