import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadIntentDirs } from "../src/intents/load.ts";
import { normalizeArgs } from "../src/eval/metrics.ts";
import { TemplateRecognizer } from "../src/nlu/templates.ts";
import { builtinIntentsDir } from "./helpers.ts";


const set = await loadIntentDirs([builtinIntentsDir]);

describe("built-in intents", () => {
    it("all load without problems", () => {
        assert.deepEqual(set.problems.map((p) => p.message), []);
        assert.ok(set.intents.length >= 12);
    });

    const recognizer = new TemplateRecognizer(set.intents.map((i) => i.spec), { fuzzy: false });
    it("have no template that matches nearly anything (a start does not check them again)", () => {
        assert.deepEqual(recognizer.broadTemplates(), []);
        assert.deepEqual(set.intents.flatMap((i) => i.warnings ?? []), []);
    });
    for (const intent of set.intents) {
        it(`${intent.spec.name}: every example is matched exactly, with its arguments`, () => {
            assert.ok(intent.spec.examples.length > 0, "an intent should ship examples");
            for (const example of intent.spec.examples) {
                const got = recognizer.recognizeSync(example.text);
                assert.equal(got?.intent, intent.spec.name, `"${example.text}"`);
                assert.deepEqual(normalizeArgs(got!.args), normalizeArgs(example.args), `"${example.text}"`);
            }
        });
    }
});
