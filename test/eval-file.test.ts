import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { buildEvalFile } from "../scripts/build-eval.ts";
import { readEvalFile } from "../src/eval/dataset.ts";
import { packageRoot } from "./helpers.ts";

describe("the project's eval file", () => {
    it("is current with the intents' examples (run npm run eval:build after editing examples)", async () => {
        const file = path.join(packageRoot, "test", "eval", "hark.jsonl");
        assert.equal(fs.readFileSync(file, "utf8"), await buildEvalFile());
        assert.ok(readEvalFile(file).some((c) => c.expect === null), "it includes sentences that must cause no action");
    });
});
