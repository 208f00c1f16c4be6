// Fault injection: `hark run --text` is asked the time between faults — handlers that throw late, loop and hang;
// `hark ask` processes killed with SIGKILL while they write timers; a full disk under the data folder (a 4 MB tmpfs,
// when run as root); the music folder deleted while it is being read. Prints, for each fault, whether the daemon
// still answered and how long the slowest answer took, and whether the timers file was still readable.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../src/paths.ts";
import { startTextDaemon } from "./text-daemon.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "hark-faults-"));
const data = path.join(root, "data");
fs.mkdirSync(data);
// A full disk needs a small filesystem of its own: a tmpfs, which only root may mount.
const tmpfs = process.getuid?.() === 0 && spawnSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", data]).status === 0;
const intents = path.join(root, "intents");
fs.mkdirSync(intents);
const intent = (name: string, sentence: string, body: string): void => fs.writeFileSync(path.join(intents, `${name}.ts`),
    `import { defineIntent } from "hark";\nexport default defineIntent({ name: "${name}", description: "fault", sentences: ["${sentence}"], timeoutMs: 500,\n    ${body} });\n`);
intent("late_throw", "fail later", `handler() { setTimeout(() => { throw new Error("late"); }, 20); Promise.reject(new Error("unawaited")); return "answered"; }`);
intent("spin", "spin", "handler() { for (;;) {} }");
intent("hang", "hang", "handler() { return new Promise(() => {}); }");
const music = path.join(root, "music");
fs.mkdirSync(music);
for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(music, `Artist ${i % 50} - Song ${i}.mp3`), "");
const config = path.join(root, "config.yaml");
fs.writeFileSync(config, [
    `paths: { dataDir: ${JSON.stringify(data)}, intentsDirs: [${JSON.stringify(intents)}, ${JSON.stringify(path.join(packageRoot, "intents"))}] }`,
    `music: { dir: ${JSON.stringify(music)} }`, "log: { level: fatal }"
].join("\n"));
const env = { ...process.env, HARK_CONFIG: config };
const bin = path.join(packageRoot, "bin", "hark.js");

const hark = startTextDaemon(env, ["--no-llm"]);
const say = hark.say;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fault`, asking the time every 100 ms meanwhile; reports the answers. */
async function during(name: string, fault: () => Promise<string>): Promise<void> {
    let done = false;
    const times: number[] = [];
    let unanswered = 0;
    const pinger = (async () => {
        while (!done) {
            const r = await say("what time is it");
            if (/^It's /.test(r.reply)) times.push(r.ms);
            else unanswered++;
            await sleep(100);
        }
    })();
    const what = await fault();
    await sleep(500);
    done = true;
    await pinger;
    console.log(`  ${name.padEnd(34)} ${what}; the time asked ${times.length + unanswered}×: ${unanswered} unanswered, slowest ${Math.max(0, ...times)} ms; daemon ${hark.alive ? "running" : "GONE"}`);
}

await say("what time is it", 60_000);
console.log(`fault injection (${tmpfs ? "data folder on a 4 MB tmpfs" : "no tmpfs: not root, so no full disk"})`);
await during("handler throws after answering", async () => (await say("fail later")).reply);
await during("handler loops forever", async () => (await say("spin")).reply);
await during("handler never returns", async () => (await say("hang")).reply);
await during("hark ask killed -9 while writing", async () => {
    for (let i = 0; i < 20; i++) {
        const child = spawn(process.execPath, [bin, "ask", "--quiet", "--no-llm", `set a timer for ${i + 1} minutes`], { env, stdio: "ignore" });
        setTimeout(() => child.kill("SIGKILL"), 1000 + Math.random() * 2500);
        await new Promise((resolve) => child.on("exit", resolve));
    }
    const listed = (await say("what timers are running")).reply;
    const set = (listed.match(/timer has/g) ?? []).length;
    return /could not read/.test(listed) ? `timers file unreadable: ${listed}` : `timers file readable (${set} of 20 timers set before the kill)`;
});
if (tmpfs) {
    await during("full disk", async () => {
        spawnSync("dd", ["if=/dev/zero", `of=${path.join(data, "filler")}`, "bs=64k"], { stdio: "ignore" });
        const reply = (await say("set a timer for 5 minutes")).reply;
        fs.rmSync(path.join(data, "filler"));
        const after = (await say("set a timer for 6 minutes")).reply;
        return `"${reply}", then with room "${after}"`;
    });
}
await during("music folder removed mid-scan", async () => {
    const playing = say("play song 2999");
    await sleep(50);
    fs.rmSync(music, { recursive: true, force: true });
    return `"${(await playing).reply}"`;
});

await hark.close();
if (tmpfs) spawnSync("umount", [data]);
fs.rmSync(root, { recursive: true, force: true });
