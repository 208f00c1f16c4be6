import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { IntentRegistry } from "../src/intents/registry.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import { silentLogger, tempDir, waitFor, writeIntent } from "./helpers.ts";

const GOOD_YAML = `name: say_hello
description: Says hello.
sentences: ["(hi|hello) [there]"]
examples: [{ text: hello there }]
action: { speak: Hello! }
`;

function yamlIntent(name: string, sentence: string): string {
    return `name: ${name}\ndescription: test\nsentences: ["${sentence}"]\naction: { speak: ok }\n`;
}

async function problemsFor(files: Record<string, string>) {
    const dir = tempDir();
    writeIntent(dir, "good.yaml", GOOD_YAML);
    for (const [name, text] of Object.entries(files)) writeIntent(dir, name, text);
    const set = await loadIntentDirs([dir]);
    assert.deepEqual(set.intents.map((i) => i.spec.name), ["say_hello"], "the good intent still loads");
    assert.equal(set.problems.length, Object.keys(files).length);
    return set.problems;
}

describe("intent loader", () => {
    it("a YAML file with a syntax error is rejected with its file name and the others still load", async () => {
        const [problem] = await problemsFor({ "broken.yaml": "name: x\nsentences: [unclosed\n" });
        assert.match(problem!.message, /broken\.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a \]$/);
        assert.equal(problem!.code, "HARK_INTENT_INVALID");
    });

    it("a TypeScript file with a syntax error is rejected with the line number", async () => {
        const [problem] = await problemsFor({ "broken.ts": "import { defineIntent } from \"hark\";\nexport default defineIntent({ name: \"x\", \n sentences: [ \n" });
        assert.match(problem!.message, /broken\.ts:\d+:\d+: /);
    });

    it("a second intent with a name already taken is rejected as a duplicate", async () => {
        const [problem] = await problemsFor({ "zz-dup.yaml": yamlIntent("say_hello", "good day") });
        assert.match(problem!.message, /zz-dup\.yaml: duplicate intent name "say_hello" \(already defined in .*good\.yaml\)/);
    });

    it("an intent may not be called none: that is the language model's answer when nothing fits", async () => {
        const [problem] = await problemsFor({ "none.yaml": yamlIntent("none", "nothing at all") });
        assert.match(problem!.message, /none\.yaml: the intent name "none" is reserved/);
    });

    it("an invalid argument schema is rejected", async () => {
        const [problem] = await problemsFor({ "bad-schema.yaml": "name: bad\ndescription: x\nargs: { type: object, properties: { n: { type: numbr } } }\nsentences: [go]\naction: { speak: ok }\n" });
        assert.match(problem!.message, /bad-schema\.yaml:3:7: args is not a valid JSON Schema/);
    });

    it("a mistake in a template, a slot or the schema points at the line and column the person wrote", async () => {
        const yaml = "name: lamp\ndescription: x\nargs: { type: object, properties: { room: { type: string } } }\nslots: { room: wildcard }\nsentences:\n  - \"turn on the light\"\n  - \"turn on the light[s] in {room\"\naction: { speak: ok }\n";
        const [template] = await problemsFor({ "lamp.yaml": yaml });
        assert.match(template!.message, /lamp\.yaml:7:5: template "turn on the light\[s\] in \{room" \(column 25\): /);
        const [slot] = await problemsFor({ "lamp.yaml": yaml.replace("{room\"", "{rom}\"") });
        assert.match(slot!.message, /lamp\.yaml:7:5: sentence "turn on the light\[s\] in \{rom\}" uses \{rom\}, which is not declared under slots/);
        const [schema] = await problemsFor({ "lamp.yaml": yaml.replace("description: x\n", "description: x\ntimeout: 5\n") });
        assert.match(schema!.message, /lamp\.yaml:1:1: timeout: unknown key \(did you mean "timeoutMs"\?\)/);
        const ts = "import { defineIntent } from \"hark\";\n\nexport default defineIntent({\n    name: \"lamp\",\n    description: \"x\",\n    sentences: [\"turn on the light\", \"turn (on|off the lamp\"],\n    handler: () => \"ok\"\n});\n";
        const [code] = await problemsFor({ "lamp.ts": ts });
        assert.match(code!.message, /lamp\.ts:6:39: template "turn \(on\|off the lamp" \(column 22\): "\(" is never closed/);
    });

    it("a date argument must be free text, and a trim phrase may use only the intent's rules, {year} and {number}", async () => {
        const [dates] = await problemsFor({ "bad-dates.yaml": "name: bad_dates\ndescription: x\nargs: { type: object, properties: { n: { type: integer } } }\ndates: [n]\nsentences: [go]\naction: { speak: ok }\n" });
        assert.match(dates!.message, /dates names "n", which is not a free-text string in args\.properties/);
        const [trim] = await problemsFor({ "bad-trim.yaml": "name: bad_trim\ndescription: x\nargs: { type: object, properties: { song: { type: string } } }\nslots: { song: { wildcard: true, trim: [\"on <service>\"] } }\nsentences:\n  - \"play {song}\"\naction: { speak: ok }\n" });
        assert.match(trim!.message, /slot "song": trim "on <service>" uses <service>, which is not defined under rules/);
    });

    it("a slot's notKinds must be nouns WordNet knows, and its kinds WordNet's categories of nouns", async () => {
        const intent = (slot: string) => `name: fetch\ndescription: x\nargs: { type: object, properties: { thing: { type: string } } }\nslots: { thing: ${slot} }\nsentences: ["fetch {thing}"]\naction: { speak: ok }\n`;
        const [noun] = await problemsFor({ "fetch.yaml": intent("{ wildcard: true, notKinds: [home appliences] }") });
        assert.match(noun!.message, /slot "thing": notKinds names "home appliences", which is no noun WordNet knows/);
        const [category] = await problemsFor({ "fetch.yaml": intent("{ wildcard: true, kinds: [locaton] }") });
        assert.match(category!.message, /fetch\.yaml:\d+:\d+: slot "thing": kinds names "locaton", which is none of WordNet's categories of nouns \(did you mean "location"\?\): Tops, act, .*, time$/);
        const dir = tempDir();
        writeIntent(dir, "fetch.yaml", intent("{ wildcard: true, notKinds: [home appliance], kinds: [location] }"));
        const set = await loadIntentDirs([dir]);
        assert.deepEqual([set.problems, set.intents[0]?.spec.slots.thing], [[], { kind: "wildcard", notKinds: ["home appliance"], kinds: ["location"] }]);
    });

    it("a slot hears all its excluded phrases, or those it lists, which must be excluded", async () => {
        const intent = (slot: string) => `name: fetch\ndescription: x\nargs: { type: object, properties: { thing: { type: string } } }\nslots: { thing: ${slot} }\nsentences: ["fetch {thing}"]\naction: { speak: ok }\n`;
        const [unlisted] = await problemsFor({ "fetch.yaml": intent("{ wildcard: true, exclude: [film], hearExcluded: [the wii] }") });
        assert.match(unlisted!.message, /slot "thing": hearExcluded names "the wii", which is not excluded; add it to exclude, or leave it out/);
        for (const [heard, expected] of [["true", ["film", "wii"]], ["[Film]", ["film"]], ["false", undefined]] as const) {
            const dir = tempDir();
            writeIntent(dir, "fetch.yaml", intent(`{ wildcard: true, exclude: [film, wii], hearExcluded: ${heard} }`));
            const slot = (await loadIntentDirs([dir])).intents[0]?.spec.slots.thing;
            assert.deepEqual(slot?.kind === "wildcard" ? slot.hearExcluded : null, expected, heard);
        }
    });

    it("only a wildcard slot may be written {slot}'s", async () => {
        const [problem] = await problemsFor({ "bad-possessive.yaml": "name: bad_possessive\ndescription: x\nargs: { type: object, properties: { genre: { type: string } } }\nslots: { genre: [jazz, rock] }\nsentences:\n  - \"play {genre}'s best\"\naction: { speak: ok }\n" });
        assert.match(problem!.message, /uses \{genre\}'s, but only a wildcard slot can be said with "'s"/);
    });

    it("a sentence that uses an undeclared slot is rejected, naming the slot", async () => {
        const [problem] = await problemsFor({ "bad-slot.yaml": yamlIntent("bad_slot", "play {song}") });
        assert.match(problem!.message, /uses \{song\}, which is not declared under slots/);
    });

    it("a missing required key and a misspelt key are both named", async () => {
        const [problem] = await problemsFor({ "bad-keys.yaml": "name: bad_keys\nsentence: [go]\naction: { speak: ok }\n" });
        assert.match(problem!.message, /missing required key "sentences"/);
        assert.match(problem!.message, /sentence: unknown key \(did you mean "sentences"\?\)/);
    });

    it("a code intent without a default export is rejected with what to write", async () => {
        const [problem] = await problemsFor({ "no-default.ts": "export const x = 1;\n" });
        assert.match(problem!.message, /no default export; write `export default defineIntent/);
    });

    it("a code intent whose handler throws at import time is rejected", async () => {
        const [problem] = await problemsFor({ "throws.js": "throw new Error('boom at import');\n" });
        assert.match(problem!.message, /failed while loading: boom at import/);
    });

    it("an example whose arguments do not fit the schema is rejected", async () => {
        const [problem] = await problemsFor({
            "bad-example.yaml": "name: bad_example\ndescription: x\nargs: { type: object, properties: { n: { type: integer } } }\nslots: { n: { range: { from: 1, to: 9 } } }\nsentences: [\"go {n}\"]\nexamples: [{ text: go 3, args: { n: three } }]\naction: { speak: ok }\n"
        });
        assert.match(problem!.message, /example "go 3" has invalid args: n: must be integer/);
    });
});

describe("hot reload", () => {
    it("adding, changing and deleting a file while running takes effect without a restart", async () => {
        const dir = tempDir();
        writeIntent(dir, "hello.yaml", GOOD_YAML);
        const registry = await IntentRegistry.create({ dirs: [dir], log: silentLogger(), watch: true, debounceMs: 50 });
        try {
            assert.deepEqual(registry.intents.map((i) => i.spec.name), ["say_hello"]);
            const changes: string[] = [];
            registry.onChange((_set, change) => void changes.push(JSON.stringify(change)));

            const file = writeIntent(dir, "goodbye.ts", `import { defineIntent } from "hark";
export default defineIntent({ name: "say_goodbye", description: "Says goodbye.", sentences: ["goodbye"], handler: () => "Bye!" });
`);
            await waitFor(() => registry.get("say_goodbye") != null, 5000, "the new intent");
            assert.equal(await registry.get("say_goodbye")!.handler({} as never), "Bye!");

            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"Bye!"', '"See you!"'));
            await waitFor(async () => (await registry.get("say_goodbye")?.handler({} as never)) === "See you!", 5000, "the edited handler");

            fs.rmSync(file);
            await waitFor(() => registry.get("say_goodbye") == null, 5000, "the removal");
            assert.deepEqual(registry.intents.map((i) => i.spec.name), ["say_hello"]);
            assert.ok(changes.some((c) => c.includes('"added":["say_goodbye"]')));
            assert.ok(changes.some((c) => c.includes('"removed":["say_goodbye"]')));
        } finally {
            await registry.dispose();
        }
    });

    it("a file that breaks on edit becomes a problem; fixing it brings the intent back", async () => {
        const dir = tempDir();
        const file = writeIntent(dir, "hello.yaml", GOOD_YAML);
        const registry = await IntentRegistry.create({ dirs: [dir], log: silentLogger(), watch: true, debounceMs: 50 });
        try {
            fs.writeFileSync(file, "name: [oops\n");
            await waitFor(() => registry.problems.length === 1, 5000, "the problem");
            assert.equal(registry.intents.length, 0);
            assert.equal(path.basename(registry.problems[0]!.file), "hello.yaml");
            fs.writeFileSync(file, GOOD_YAML);
            await waitFor(() => registry.get("say_hello") != null, 5000, "the fixed intent");
        } finally {
            await registry.dispose();
        }
    });
});
