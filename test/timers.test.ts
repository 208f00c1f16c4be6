import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Assistant } from "../src/pipeline/assistant.ts";
import { TimerService, describeDuration, remainingMs, type Timer } from "../src/services/timers.ts";
import { describeTurn } from "../src/cli/transcript.ts";
import type { TraceRecord } from "../src/trace/trace.ts";
import { silentLogger, tempDir, testConfig, waitFor } from "./helpers.ts";

describe("timers", () => {
    it("a timer set by voice survives a restart and can be listed and cancelled afterwards", async () => {
        const data = tempDir();
        const first = await Assistant.create({ config: testConfig({ paths: { dataDir: data } }), log: silentLogger() });
        assert.equal((await first.handleText("set a timer for 1 hour 30 minutes")).reply, "Timer set for 1 hour and 30 minutes.");
        assert.equal((await first.handleText("set a pasta timer for twelve minutes")).reply, "Pasta timer set for 12 minutes.");
        await first.dispose();

        const second = await Assistant.create({ config: testConfig({ paths: { dataDir: data } }), log: silentLogger() });
        try {
            assert.match((await second.handleText("what timers are running")).reply, /^The pasta timer has (12 minutes|11 minutes and \d+ seconds) left, and the 1 hour and 30 minutes timer has 1 hour.* left\.$/);
            assert.equal((await second.handleText("cancel the timer")).reply, "You have 2 timers: the pasta timer and the 1 hour and 30 minutes timer. Which one should I cancel?");
            assert.equal((await second.handleText("cancel the pasta timer")).reply, "Cancelled the pasta timer.");
            assert.equal((await second.handleText("cancel all timers")).reply, "Cancelled the 1 hour and 30 minutes timer.");
            assert.equal((await second.handleText("list my timers")).reply, "There are no timers running.");
        } finally {
            await second.dispose();
        }
    });

    it("a running service rings a timer when it ends", async () => {
        const file = path.join(tempDir(), "timers.json");
        const service = new TimerService({ file, log: silentLogger() });
        const rung: Array<{ timer: Timer; late: boolean }> = [];
        service.start((timer, late) => rung.push({ timer, late }));
        try {
            await service.add(150, "tea");
            await waitFor(() => rung.length === 1, 3000, "the timer to ring");
            assert.equal(rung[0]!.timer.label, "tea");
            assert.equal(rung[0]!.late, false);
            assert.deepEqual(await service.list(), []);
        } finally {
            service.stop();
        }
    });

    it("the assistant announces a timer that rings, and traces the announcement as a turn of its own", async () => {
        const config = testConfig();
        const a = await Assistant.create({ config, log: silentLogger() });
        const announced: TraceRecord[] = [];
        a.startTimers({ speak: false, onAnnounced: (record) => announced.push(record) });
        try {
            await a.services.timers.add(150, "tea");
            await waitFor(() => announced.length === 1, 3000, "the announcement");
            assert.equal(announced[0]!.reply, `Your tea timer for ${describeDuration(150)} is done.`);
            assert.equal(announced[0]!.input.source, "timer");
            const traced = fs.readFileSync(config.trace.file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as TraceRecord);
            assert.deepEqual(traced.map((t) => [t.input.source, t.reply, t.stages[0]?.name]), [["timer", announced[0]!.reply, "timer"]]);
            assert.equal(describeTurn(announced[0]!), `timer: ${announced[0]!.reply}`);
        } finally {
            await a.dispose();
        }
    });

    it("a timer that ended while hark was not running rings at start-up, marked late", async () => {
        const file = path.join(tempDir(), "timers.json");
        let now = Date.now();
        const before = new TimerService({ file, log: silentLogger(), now: () => now });
        await before.add(60_000, "eggs");
        now += 10 * 60_000; // ten minutes "later", as if hark had been stopped
        const after = new TimerService({ file, log: silentLogger(), now: () => now });
        const rung: Array<{ timer: Timer; late: boolean }> = [];
        after.start((timer, late) => rung.push({ timer, late }));
        try {
            await waitFor(() => rung.length === 1, 3000, "the missed timer");
            assert.equal(rung[0]!.late, true);
            assert.equal(rung[0]!.timer.label, "eggs");
        } finally {
            after.stop();
        }
    });

    it("a timer added by another process is picked up by the running service", async () => {
        const file = path.join(tempDir(), "timers.json");
        const daemon = new TimerService({ file, log: silentLogger() });
        const rung: Timer[] = [];
        daemon.start((timer) => rung.push(timer));
        try {
            await new TimerService({ file, log: silentLogger() }).add(300, "from ask");
            await waitFor(() => rung.length === 1, 5000, "the other process's timer");
            assert.equal(rung[0]!.label, "from ask");
        } finally {
            daemon.stop();
        }
    });

    it("a running service reports every change to the timers, its own and another process's: started, updated, cancelled, finished", async () => {
        const file = path.join(tempDir(), "timers.json");
        const daemon = new TimerService({ file, log: silentLogger() });
        const changes: string[] = [];
        daemon.start(() => undefined);
        const stop = daemon.onChange((c) => changes.push(`${c.kind} ${c.timer.label}`));
        try {
            const other = new TimerService({ file, log: silentLogger() });
            const [tea, pasta] = [await daemon.add(60_000, "tea", "kitchen"), await other.add(60_000, "pasta")];
            await waitFor(() => changes.length === 2, 5000, "both timers seen");
            await daemon.pause([tea.id]);
            await other.cancel([pasta.id]);
            await daemon.add(200, "egg");
            await waitFor(() => changes.includes("finished egg"), 5000, "the egg timer to ring");
            // Another process's change is seen at the next read of the file, so only the set is certain, and "finished" last.
            assert.deepEqual([...changes].sort(), ["cancelled pasta", "finished egg", "started egg", "started pasta", "started tea", "updated tea"]);
            assert.equal(changes.at(-1), "finished egg");
            assert.equal((await daemon.list()).find((t) => t.label === "tea")?.room, "kitchen");
        } finally {
            stop();
            daemon.stop();
        }
    });

    it("a timers file of the wrong shape is moved aside, and the next reply says what was lost", async () => {
        const data = tempDir();
        const file = path.join(data, "timers.json");
        fs.writeFileSync(file, JSON.stringify({ timers: [] }));
        const assistant = await Assistant.create({ config: testConfig({ paths: { dataDir: data } }), log: silentLogger() });
        try {
            const reply = (await assistant.handleText("what timers are running")).reply;
            const moved = fs.readdirSync(data).find((f) => f.startsWith("timers.json.unreadable-"));
            assert.ok(moved, "the file is kept under a new name");
            assert.equal(reply, `I could not read the saved timers, so any timers set before are lost; I moved the file to ${path.join(data, moved)}. There are no timers running.`);
            assert.equal(JSON.parse(fs.readFileSync(path.join(data, moved), "utf8")).timers.length, 0, "its content is untouched");
            assert.equal((await assistant.handleText("set a tea timer for five minutes")).reply, "Tea timer set for 5 minutes.");
            assert.equal((await assistant.services.timers.list()).length, 1);
        } finally {
            await assistant.dispose();
        }
    });

    it("a running service survives a timers file of the wrong shape", async () => {
        const file = path.join(tempDir(), "timers.json");
        fs.writeFileSync(file, JSON.stringify([{ id: 1, endsAt: "soon" }]));
        const service = new TimerService({ file, log: silentLogger() });
        const rung: Timer[] = [];
        service.start((timer) => rung.push(timer));
        try {
            await waitFor(() => fs.readdirSync(path.dirname(file)).some((f) => f.includes("unreadable")), 3000, "the file to be moved aside");
            await service.add(100, "after");
            await waitFor(() => rung.length === 1, 3000, "the new timer");
        } finally {
            service.stop();
        }
    });

    it("two processes setting timers at once lose none", async () => {
        const file = path.join(tempDir(), "timers.json");
        const script = `import { TimerService } from ${JSON.stringify(path.resolve("src/services/timers.ts"))};
const s = new TimerService({ file: process.argv[1], log: { info() {}, error(...a) { console.error(...a); } } });
for (let i = 0; i < 150; i++) await s.add(3_600_000, process.argv[2] + i);`;
        const run = (tag: string) => new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, file, tag], { stdio: ["ignore", "ignore", "inherit"] });
            child.on("exit", resolve);
        });
        assert.deepEqual(await Promise.all([run("a"), run("b")]), [0, 0]);
        const labels = (await new TimerService({ file, log: silentLogger() }).list()).map((t) => t.label);
        assert.equal(labels.length, 300);
        assert.equal(new Set(labels).size, 300);
    });

    it("durations are spoken naturally", () => {
        assert.equal(describeDuration(5 * 60_000), "5 minutes");
        assert.equal(describeDuration(3600_000 + 30 * 60_000), "1 hour and 30 minutes");
        assert.equal(describeDuration(3600_000 + 60_000 + 1000), "1 hour, 1 minute and 1 second");
    });
});

describe("pausing and changing timers", () => {
    it("a paused timer keeps what it had left across a restart, does not ring, and rings once resumed", async () => {
        const file = path.join(tempDir(), "timers.json");
        let now = 1_000_000;
        const before = new TimerService({ file, log: silentLogger(), now: () => now });
        const timer = await before.add(60_000, "pizza");
        now += 10_000;
        assert.equal((await before.pause([timer.id]))[0]!.pausedRemainingMs, 50_000);
        assert.deepEqual(await before.pause([timer.id]), [], "pausing a paused timer changes nothing");
        now += 10 * 60_000; // long past its first end, as if hark had been stopped
        const after = new TimerService({ file, log: silentLogger(), now: () => now });
        const rung: Timer[] = [];
        after.start((t) => rung.push(t));
        try {
            await new Promise((resolve) => setTimeout(resolve, 1200));
            assert.deepEqual(rung, [], "a paused timer does not ring");
            const [listed] = await after.list();
            assert.equal(remainingMs(listed!, now), 50_000);
            const [resumed] = await after.resume([timer.id]);
            assert.equal(resumed!.endsAt, now + 50_000);
            assert.equal(resumed!.pausedRemainingMs, undefined);
            now += 50_000;
            await waitFor(() => rung.length === 1, 3000, "the resumed timer to ring once due");
        } finally {
            after.stop();
        }
    });

    it("time taken off a running timer makes it ring sooner; taking off more than it has left changes nothing", async () => {
        const file = path.join(tempDir(), "timers.json");
        const service = new TimerService({ file, log: silentLogger() });
        const rung: Timer[] = [];
        service.start((t) => rung.push(t));
        try {
            const timer = await service.add(60_000, "tea");
            assert.equal(await service.adjust(timer.id, -120_000), null);
            assert.equal((await service.list())[0]!.endsAt, timer.endsAt);
            const moved = await service.adjust(timer.id, -59_800);
            assert.ok(moved && moved.endsAt < timer.endsAt);
            await waitFor(() => rung.length === 1, 3000, "the shortened timer to ring");
        } finally {
            service.stop();
        }
    });

    it("named timers are paused, changed, asked about and resumed by voice, and each reply says what happened", async () => {
        const data = tempDir();
        const a = await Assistant.create({ config: testConfig({ paths: { dataDir: data } }), log: silentLogger(), llm: false });
        const say = async (text: string) => (await a.handleText(text)).reply;
        try {
            assert.equal(await say("pause the timer"), "There are no timers running.");
            assert.equal(await say("set a pizza timer for 12 minutes"), "Pizza timer set for 12 minutes.");
            assert.equal(await say("set a timer for two and a half minutes"), "Timer set for 2 minutes and 30 seconds.");
            assert.equal(await say("pause the timer"), "You have 2 timers: the 2 minutes and 30 seconds timer and the pizza timer. Which one should I pause?");
            assert.equal(await say("pause the pizza timer"), "Paused the pizza timer, with 12 minutes left.");
            assert.equal(await say("pause the pizza timer"), "The pizza timer is already paused.");
            assert.equal(await say("add two minutes to the pizza timer"), "Added 2 minutes to the pizza timer; it has 14 minutes left.");
            assert.equal(await say("how long left on the pizza timer"), "The pizza timer is paused with 14 minutes left.");
            assert.equal(await say("take 20 minutes off the pizza timer"), "The pizza timer has only 14 minutes left; I left it as it was.");
            assert.equal(await say("cancel the egg timer"), "I couldn't find a timer named egg. You have the 2 minutes and 30 seconds timer and the pizza timer.");
            assert.equal(await say("resume the timer"), "Resumed the pizza timer, with 14 minutes left.");
            assert.equal(await say("resume the timer"), "No timer is paused.");
            const saved = JSON.parse(fs.readFileSync(path.join(data, "timers.json"), "utf8")) as Timer[];
            assert.ok(saved.every((t) => t.pausedRemainingMs === undefined), "nothing is left paused in the file");
        } finally {
            await a.dispose();
        }
    });
});
