import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A package loaded on its first use rather than when hark starts: every command imports most of hark's modules, and
 * a package that only some paths use (date parsing, ONNX, bundling) would otherwise slow down every one of them.
 */
export function onFirstUse<T>(specifier: string): () => T {
    let loaded: T | undefined;
    return () => (loaded ??= require(specifier) as T);
}
