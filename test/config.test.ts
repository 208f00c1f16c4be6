import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { loadConfig, validateConfig } from "../src/config/load.ts";
import { ConfigError } from "../src/errors.ts";
import { loadIntentDirs } from "../src/intents/load.ts";
import { builtinIntentsDir } from "../src/paths.ts";
import { tempDir, writeIntent } from "./helpers.ts";

describe("configuration", () => {
    it("an empty config gives every default", () => {
        const config = validateConfig({});
        assert.equal(config.nlu.minConfidence, 0.7);
        assert.equal(config.dispatch.timeoutMs, 15000);
        assert.deepEqual(config.player.wav, ["aplay", "-q", "{file}"]);
    });

    it("errors name the key and what was expected, and suggest a near key", () => {
        assert.throws(() => validateConfig({ nlu: { minConfidence: 3, fuzzzy: true }, tts: { voice: 5 } }), (error: unknown) => {
            assert.ok(error instanceof ConfigError);
            assert.match(error.message, /nlu\.minConfidence: must be <= 1/);
            assert.match(error.message, /nlu\.fuzzzy: unknown key \(did you mean "fuzzy"\?\)/);
            assert.match(error.message, /tts\.voice: must be string/);
            return true;
        });
    });

    it("reads YAML from --config, with environment overrides on top", () => {
        const file = path.join(tempDir(), "config.yaml");
        fs.writeFileSync(file, "music:\n  dir: /srv/music\nweather:\n  temperatureUnit: fahrenheit\n");
        const { config } = loadConfig({ file, env: { HARK__WEATHER__TEMPERATUREUNIT: "celsius", HARK__DISPATCH__TIMEOUTMS: "2500" } });
        assert.equal(config.music.dir, "/srv/music");
        assert.equal(config.weather.temperatureUnit, "celsius");
        assert.equal(config.dispatch.timeoutMs, 2500);
    });

    it("$HARK_CONFIG is used when no --config is given", () => {
        const file = path.join(tempDir(), "config.json");
        fs.writeFileSync(file, JSON.stringify({ volume: { control: "PCM" } }));
        assert.equal(loadConfig({ env: { HARK_CONFIG: file } }).config.volume.control, "PCM");
    });

    it("an unknown environment override is an error that names it", () => {
        assert.throws(() => loadConfig({ file: undefined, env: { HARK_CONFIG: "/nonexistent/x.yaml" } }), /does not exist/);
        assert.throws(() => loadConfig({ env: { HARK__MUSIK__DIR: "/x" } }), /HARK__MUSIK__DIR: no config key "musik" \(did you mean "music"\?\)/);
    });

    it("a bad value from an environment variable is blamed on the variable, not on the config file", () => {
        const file = path.join(tempDir(), "config.yaml");
        fs.writeFileSync(file, "nlu:\n  minConfidence: 0.8\n");
        assert.throws(() => loadConfig({ file, env: { HARK__NLU__MINCONFIDENCE: "high" } }), (error: unknown) => {
            assert.ok(error instanceof ConfigError);
            assert.match(error.message, /^the HARK__ environment variables are invalid/);
            assert.match(error.message, /nlu\.minConfidence: must be number \(from environment variable HARK__NLU__MINCONFIDENCE\)/);
            return true;
        });
        fs.writeFileSync(file, "nlu:\n  minConfidence: 2\n");
        assert.throws(() => loadConfig({ file, env: { HARK__DISPATCH__TIMEOUTMS: "2500" } }), (error: unknown) => {
            assert.match((error as Error).message, /config\.yaml is invalid/);
            assert.doesNotMatch((error as Error).message, /environment variable/);
            return true;
        });
    });

    it("paths.intentsDirs adds folders to the built-in intents; intents.builtins: false drops those, and a user's intent replaces the built-in of its name", async () => {
        const mine = tempDir();
        assert.deepEqual(validateConfig({ paths: { intentsDirs: [mine] } }).paths.intentsDirs, [builtinIntentsDir, mine]);
        assert.deepEqual(validateConfig({}).paths.intentsDirs, [builtinIntentsDir]);
        assert.deepEqual(validateConfig({ paths: { intentsDirs: [mine] }, intents: { builtins: false } }).paths.intentsDirs, [mine]);
        writeIntent(mine, "clock.yaml", "name: get_time\ndescription: my own clock\nsentences: [\"what o'clock is it\"]\naction: { speak: tea time }\n");
        const set = await loadIntentDirs(validateConfig({ paths: { intentsDirs: [mine] } }).paths.intentsDirs);
        assert.deepEqual(set.problems, []);
        const times = set.intents.filter((i) => i.spec.name === "get_time");
        assert.equal(times.length, 1);
        assert.equal(times[0]!.spec.description, "my own clock");
        assert.ok(set.intents.some((i) => i.spec.name === "set_timer"), "the other built-in intents stay");
        assert.deepEqual(set.replaced?.map((r) => [r.name, r.by]), [["get_time", path.join(mine, "clock.yaml")]]);
    });

    it("a config file with a YAML error says so with the file name", () => {
        const file = path.join(tempDir(), "broken.yaml");
        fs.writeFileSync(file, "music: [\n");
        assert.throws(() => loadConfig({ file, env: {} }), /broken\.yaml is not valid YAML/);
    });
});
