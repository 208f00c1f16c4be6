import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { Assistant } from "../src/pipeline/assistant.ts";
import { silentLogger, tempDir, testConfig, writeIntent } from "./helpers.ts";

async function assistantWith(name: string, yaml: string) {
    const dir = tempDir();
    writeIntent(dir, name, yaml);
    const a = await Assistant.create({ config: testConfig({ paths: { intentsDirs: [dir] } }), log: silentLogger(), ephemeralState: true });
    assert.deepEqual(a.intents.problems.map((p) => p.message), []);
    return a;
}

describe("declarative (YAML) intents", () => {
    it("speak: fills the response template with the arguments", async () => {
        const a = await assistantWith("greet.yaml", `name: greet
description: Greets someone.
args: { type: object, properties: { who: { type: string } }, required: [who] }
slots: { who: wildcard }
sentences: ["say hello to {who}"]
action: { speak: "Hello, {who}!" }
`);
        try {
            assert.equal((await a.handleText("say hello to Ada Lovelace")).reply, "Hello, ada lovelace!");
        } finally {
            await a.dispose();
        }
    });

    it("run: passes arguments as single argv entries, never through a shell", async () => {
        const a = await assistantWith("echo.yaml", `name: echo_back
description: Echoes words through a program.
args: { type: object, properties: { words: { type: string } } }
slots: { words: wildcard }
sentences: ["echo {words}"]
action: { run: { command: ["${process.execPath}", "-e", "console.log(JSON.stringify(process.argv.slice(1)))", "{words}"], speak: "Program said {stdout}" } }
`);
        try {
            const record = await a.handleText("echo hi; rm -rf $HOME");
            assert.equal(record.reply, 'Program said ["hi rm rf home"]');
        } finally {
            await a.dispose();
        }
    });

    it("run: a failing program is an apology with the program's error in the trace", async () => {
        const a = await assistantWith("fail.yaml", `name: fail_run
description: Runs a program that fails.
sentences: ["make it fail"]
action: { run: { command: ["${process.execPath}", "-e", "console.error('disk is full'); process.exit(3)"] } }
`);
        try {
            const record = await a.handleText("make it fail");
            assert.equal(record.reply, `Sorry, I couldn't do that because the program ${path.basename(process.execPath)} failed. The log says why.`);
            assert.match(record.error!.message, /exited with 3: disk is full/);
            assert.deepEqual(record.error!.detail, { argv: [process.execPath, "-e", "console.error('disk is full'); process.exit(3)"], exitCode: 3, stderr: "disk is full" });
        } finally {
            await a.dispose();
        }
    });

    it("http: sends the arguments and speaks from the JSON answer", async () => {
        const seen: Array<{ url: string; method: string; body: string }> = [];
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (d: Buffer) => (body += d));
            req.on("end", () => {
                seen.push({ url: req.url!, method: req.method!, body });
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify({ state: "on", brightness: 80 }));
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as AddressInfo).port;
        const a = await assistantWith("light.yaml", `name: light_on
description: Turns a light on through a local HTTP API.
args: { type: object, properties: { room: { type: string }, level: { type: integer } } }
slots: { room: wildcard, level: { range: { from: 1, to: 100 } } }
sentences: ["turn on the {room} light [at {level} percent]"]
action:
  http:
    url: "http://127.0.0.1:${port}/lights/{room}"
    json: { on: true, brightness: "{level}" }
    speak: "The {room} light is {json.state} at {json.brightness} percent."
`);
        try {
            const record = await a.handleText("turn on the living room light at 80 percent");
            assert.equal(record.reply, "The living room light is on at 80 percent.");
            assert.deepEqual(seen, [{ url: "/lights/living%20room", method: "POST", body: JSON.stringify({ on: true, brightness: 80 }) }]);
        } finally {
            await a.dispose();
            server.close();
        }
    });

    it("http: a failed request is traced with its method, URL, and the status or the cause", async () => {
        const server = http.createServer((_req, res) => {
            res.statusCode = 503;
            res.end("down for maintenance");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as AddressInfo).port;
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const closedPort = (closed.address() as AddressInfo).port;
        await new Promise((resolve) => closed.close(resolve));
        const refused = await assistantWith("gate.yaml", `name: open_gate
description: Opens the gate.
sentences: ["open the gate"]
action: { http: { url: "http://127.0.0.1:${closedPort}/gate", speak: done } }
`);
        const answered = await assistantWith("door.yaml", `name: open_door
description: Opens a door.
sentences: ["open the door"]
action: { http: { url: "http://127.0.0.1:${port}/door", speak: done } }
`);
        try {
            const down = await answered.handleText("open the door");
            assert.equal(down.result?.ok, false);
            assert.deepEqual(down.error!.detail, { method: "GET", url: `http://127.0.0.1:${port}/door`, status: 503, body: "down for maintenance" });
            const nobody = await refused.handleText("open the gate");
            assert.equal(nobody.error!.code, "HARK_HTTP_FAILED");
            assert.match(nobody.error!.message, new RegExp(`^GET http://127\\.0\\.0\\.1:${closedPort}/gate failed: .*ECONNREFUSED`));
            assert.match(String(nobody.error!.detail!.cause), /ECONNREFUSED/);
        } finally {
            await refused.dispose();
            await answered.dispose();
            server.close();
        }
    });
});
