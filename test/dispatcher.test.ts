import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Assistant } from "../src/pipeline/assistant.ts";
import { silentLogger, tempDir, testConfig, waitFor, writeIntent } from "./helpers.ts";

async function assistantWith(files: Record<string, string>, raw: Record<string, unknown> = {}) {
    const dir = tempDir();
    for (const [name, text] of Object.entries(files)) writeIntent(dir, name, text);
    return Assistant.create({ config: testConfig({ paths: { intentsDirs: [dir] }, ...raw }), log: silentLogger(), ephemeralState: true });
}

const intents = {
    "explode.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "explode", description: "always fails", sentences: ["explode"],
    handler() { throw new Error("kaboom"); } });`,
    "hang.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "hang", description: "never returns", sentences: ["hang"], timeoutMs: 200,
    handler() { return new Promise(() => {}); } });`,
    "count.ts": `import { defineIntent } from "hark";
export default defineIntent<{ n: number }>({ name: "count", description: "counts", sentences: ["count to {n}"],
    args: { type: "object", properties: { n: { type: "integer", maximum: 10 } }, required: ["n"] },
    slots: { n: { range: { from: 1, to: 100 } } },
    handler({ args, state }) { state.set("last", args.n); return { speech: "Counted to " + args.n + ".", data: { n: args.n } }; } });`
};

describe("dispatcher", () => {
    it("a handler that throws gives a spoken apology, a logged error, and the next turn still works", async () => {
        const assistant = await assistantWith(intents);
        try {
            const failed = await assistant.handleText("explode");
            assert.match(failed.reply, /^Sorry, something went wrong/);
            assert.equal(failed.result?.ok, false);
            assert.deepEqual(failed.error, { code: "HARK_HANDLER_FAILED", message: "kaboom" });
            const next = await assistant.handleText("count to three");
            assert.equal(next.reply, "Counted to 3.");
        } finally {
            await assistant.dispose();
        }
    });

    it("a handler that hangs is given up on after its timeout, with an apology, and the next turn still works", async () => {
        const assistant = await assistantWith(intents);
        try {
            const started = Date.now();
            const hung = await assistant.handleText("hang");
            assert.ok(Date.now() - started < 5000);
            assert.match(hung.reply, /took too long/);
            assert.equal(hung.error?.code, "HARK_HANDLER_TIMEOUT");
            assert.equal((await assistant.handleText("count to 2")).reply, "Counted to 2.");
        } finally {
            await assistant.dispose();
        }
    });

    it("a handler that acts after its timeout, or after it answered, is refused: no timer is set, no state is written", async () => {
        const late = {
            "slow.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "slow", description: "acts too late", sentences: ["slow"], timeoutMs: 100,
    async handler({ services, state }) {
        await new Promise((r) => setTimeout(r, 400));
        try { await services.timers.add(60_000, "late"); } catch (error) { globalThis.lateError = error.code; }
        try { state.set("late", true); } catch (error) { globalThis.stateError = error.code; }
        return "done";
    } });`,
            "after.ts": `import { defineIntent } from "hark";
export default defineIntent({ name: "after", description: "acts after answering", sentences: ["after"],
    handler({ services }) {
        setTimeout(() => { services.timers.add(60_000, "after").catch((error) => { globalThis.afterError = error.code; }); }, 100);
        return "answered";
    } });`
        };
        // In hark's own thread, where a late call can happen (a worker is ended at its timeout instead).
        const assistant = await assistantWith(late, { dispatch: { isolation: "none" } });
        const seen = globalThis as { lateError?: string; afterError?: string; stateError?: string };
        try {
            assert.match((await assistant.handleText("slow")).reply, /took too long/);
            assert.equal((await assistant.handleText("after")).reply, "answered");
            await waitFor(() => seen.lateError != null && seen.afterError != null, 3000, "the late calls");
            assert.equal(seen.lateError, "HARK_HANDLER_REVOKED");
            assert.equal(seen.afterError, "HARK_HANDLER_REVOKED");
            assert.deepEqual(await assistant.services.timers.list(), []);
            assert.equal(seen.stateError, "HARK_HANDLER_REVOKED");
        } finally {
            await assistant.dispose();
        }
    });

    it("arguments that break the intent's schema are not passed to the handler", async () => {
        const assistant = await assistantWith(intents);
        try {
            const record = await assistant.handleText("count to 50");
            assert.equal(record.toolCall?.name, "count");
            assert.equal(record.error?.code, "HARK_ARGS_INVALID");
            assert.match(record.error!.message, /n: must be <= 10/);
            assert.match(record.reply, /didn't catch all the details/);
        } finally {
            await assistant.dispose();
        }
    });

    it("a sentence no intent handles gets a polite refusal and runs nothing", async () => {
        const assistant = await assistantWith(intents);
        try {
            const record = await assistant.handleText("book a table for two at an italian restaurant");
            assert.equal(record.reply, "Sorry, I didn't catch that.");
            assert.equal(record.toolCall, null);
            assert.equal(record.stages.some((s) => s.name === "dispatch"), false);
        } finally {
            await assistant.dispose();
        }
    });

    it("every turn is traced as one JSONL record with stages, tool call, result and reply", async () => {
        const assistant = await assistantWith(intents);
        try {
            await assistant.handleText("count to four");
            await assistant.handleText("explode");
            const fs = await import("node:fs");
            const lines = fs.readFileSync(assistant.config.trace.file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
            assert.equal(lines.length, 2);
            assert.deepEqual(lines[0].toolCall, { name: "count", arguments: { n: 4 }, confidence: 1, engine: "template" });
            assert.deepEqual(lines[0].stages.map((s: { name: string }) => s.name), ["recognize", "dispatch"]);
            assert.equal(lines[0].result.data.n, 4);
            assert.equal(lines[0].reply, "Counted to 4.");
            assert.equal(lines[1].error.message, "kaboom");
            assert.ok(lines.every((l: { totalMs: number }) => typeof l.totalMs === "number"));
        } finally {
            await assistant.dispose();
        }
    });
});
