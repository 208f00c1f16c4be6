import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { Assistant } from "../src/pipeline/assistant.ts";
import { fakePlayerCommand, makeTaggedFlac, silentLogger, tempDir, testConfig, waitFor } from "./helpers.ts";

const music = tempDir("hark-music-");

before(() => {
    makeTaggedFlac(path.join(music, "kids", "track01.flac"), { TITLE: "Baby Shark", ARTIST: "Pinkfong", GENRE: "Kids" });
    makeTaggedFlac(path.join(music, "queen", "a.flac"), { TITLE: "Bohemian Rhapsody", ARTIST: "Queen", ALBUM: "A Night at the Opera", GENRE: "Rock" });
    makeTaggedFlac(path.join(music, "queen", "b.flac"), { TITLE: "Don't Stop Me Now", ARTIST: "Queen", ALBUM: "Jazz", GENRE: "Rock" });
    // No tags: title and artist come from the file name.
    execFileSync("sox", ["-n", "-r", "16000", "-c", "1", path.join(music, "Raffi - Baby Beluga.wav"), "synth", "0.2", "sine", "330"]);
    fs.writeFileSync(path.join(music, "Workout.m3u"), "#EXTM3U\nqueen/b.flac\nkids/track01.flac\n");
});

async function assistant(player: string[], data = tempDir()) {
    const config = testConfig({
        paths: { dataDir: data },
        music: { dir: music },
        player: { wav: player, mp3: player, other: player, startupCheckMs: 150 }
    });
    return Assistant.create({ config, log: silentLogger() });
}

/** The pid of the fake player that logs to `log` (its command line names the log). */
function playerPid(log: string): number {
    const pid = fs.readdirSync("/proc").find((p) => /^\d+$/.test(p) && safeRead(`/proc/${p}/cmdline`).split("\0").includes(log));
    assert.ok(pid, "the player process is running");
    return Number(pid);
}

/** The state letter of a process (R running, S sleeping, T stopped), from /proc. */
const processState = (pid: number): string => safeRead(`/proc/${pid}/stat`).replace(/^.*\) /, "").charAt(0);

function safeRead(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

const played = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").map((f) => path.relative(music, f)) : []);

describe("play_song on a generated music folder", () => {
    it("finds a song by its title tag, plays it and says what it plays", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 0.1));
        try {
            const record = await a.handleText("play baby shark");
            assert.equal(record.reply, "Playing Baby Shark by Pinkfong.");
            await a.services.music.whenIdle();
            assert.deepEqual(played(log), ["kids/track01.flac"]);
        } finally {
            await a.dispose();
        }
    });

    it("'play it again' replays the last song, even after a restart", async () => {
        const log = path.join(tempDir(), "played.log");
        const data = tempDir();
        const first = await assistant(fakePlayerCommand(log, 0), data);
        await first.handleText("play bohemian rhapsody by queen");
        await first.services.music.whenIdle();
        await first.dispose();
        const second = await assistant(fakePlayerCommand(log, 0), data);
        try {
            const record = await second.handleText("play it again");
            assert.equal(record.reply, "Playing Bohemian Rhapsody by Queen.");
            await second.services.music.whenIdle();
            assert.deepEqual(played(log), ["queen/a.flac", "queen/a.flac"]);
        } finally {
            await second.dispose();
        }
    });

    it("plays every song by an artist one after another, forgiving a misspelt name", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 0));
        try {
            const record = await a.handleText("play some music by quen");
            assert.match(record.reply, /^Playing .* by Queen, then 1 more\.$/);
            await waitFor(() => played(log).length === 2, 5000, "both songs");
            assert.deepEqual(played(log).sort(), ["queen/a.flac", "queen/b.flac"]);
        } finally {
            await a.dispose();
        }
    });

    it("a name that is no title is looked up as an artist or an album in the library", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 0));
        try {
            const bare = await a.handleText("play queen");
            assert.deepEqual(bare.toolCall?.arguments, { song: "queen" }, "a bare name is a song under the convention");
            assert.match(bare.reply, /^Playing .* by Queen, then 1 more\.$/);
            await a.services.music.whenIdle();
            const album = await a.handleText("play a night at the opera by queen");
            assert.deepEqual(album.toolCall?.arguments, { song: "a night at the opera", artist: "queen" });
            assert.equal(album.reply, "Playing Bohemian Rhapsody by Queen.", "the words name an album there");
        } finally {
            await a.dispose();
        }
    });

    it("matches a file without tags by its file name", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 0));
        try {
            assert.equal((await a.handleText("play baby beluga")).reply, "Playing Baby Beluga by Raffi.");
        } finally {
            await a.dispose();
        }
    });

    it("plays a playlist file in its order", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 0));
        try {
            assert.equal((await a.handleText("put on my workout playlist")).reply, "Playing Don't Stop Me Now by Queen, then 1 more.");
            await waitFor(() => played(log).length === 2, 5000, "the playlist");
            assert.deepEqual(played(log), ["queen/b.flac", "kids/track01.flac"]);
        } finally {
            await a.dispose();
        }
    });

    it("says when nothing matches and plays nothing", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 0));
        try {
            assert.equal((await a.handleText("play stairway to heaven")).reply, "I couldn't find stairway to heaven in your music.");
            assert.deepEqual(played(log), []);
        } finally {
            await a.dispose();
        }
    });

    it("'stop' stops the music", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 30));
        try {
            await a.handleText("play baby shark");
            assert.equal(a.services.player.active().length, 1);
            const record = await a.handleText("stop");
            assert.equal(record.reply, "");
            await waitFor(() => a.services.player.active().length === 0, 5000, "the player to exit");
        } finally {
            await a.dispose();
        }
    });

    it("'stop' heard in a satellite's room leaves this machine's music playing", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 30));
        try {
            await a.handleText("play baby shark");
            const record = await a.handleText("stop", { room: "kitchen" });
            assert.equal(record.toolCall?.name, "stop");
            assert.equal(record.room, "kitchen");
            assert.equal(a.services.player.active().length, 1, "the music plays on");
        } finally {
            await a.dispose();
        }
    });

    it("pause holds the player where it is, resume carries on, and next and previous move through the request's songs", async () => {
        const log = path.join(tempDir(), "played.log");
        const a = await assistant(fakePlayerCommand(log, 30));
        const say = async (text: string) => (await a.handleText(text)).reply;
        try {
            assert.equal(await say("pause"), "No music is playing.");
            assert.equal(await say("play some music by queen"), "Playing Bohemian Rhapsody by Queen, then 1 more.");
            // The stand-in player logs its file once node has started it, which may be after the reply; paused or
            // skipped before that, it would never log it.
            await waitFor(() => played(log).length === 1, 5000, "the first song's player to start");
            const pid = playerPid(log);
            assert.equal(await say("pause the music"), "");
            await waitFor(() => processState(pid) === "T", 3000, "the player to be suspended, not ended");
            assert.equal(a.services.music.playing?.paused, true);
            assert.equal(await say("resume"), "");
            await waitFor(() => processState(pid) !== "T", 3000, "the player to run again");
            assert.equal(await say("skip this song"), "Playing Don't Stop Me Now by Queen.");
            await waitFor(() => played(log).length === 2, 5000, "the second song's player to start");
            assert.equal(await say("next song"), "That is the last song.");
            assert.equal(await say("go back a song"), "Playing Bohemian Rhapsody by Queen.");
            await waitFor(() => played(log).length === 3, 5000, "the first song's player to start again");
            assert.equal(await say("pause"), "");
            assert.equal(await say("stop"), "", "a paused player is stopped too");
            await waitFor(() => a.services.player.active().length === 0, 5000, "the paused player to exit");
            assert.deepEqual(played(log), ["queen/a.flac", "queen/b.flac", "queen/a.flac"]);
            assert.equal(await say("resume the music"), "There is no paused music to resume.");
        } finally {
            await a.dispose();
        }
    });

    it("reports the player's own error when it cannot play, however long the player took to fail", async () => {
        // At once (within the start-up check) the reply says so; later, the next reply does. Either way it is told once.
        for (const delay of ["0", "1"]) {
            const failing = ["/bin/sh", "-c", `sleep ${delay}; echo 'audio open error: No such file or directory' >&2; exit 1`, "sh", "{file}"];
            const a = await assistant(failing);
            try {
                const first = (await a.handleText("play baby shark")).reply;
                await waitFor(() => a.services.player.active().length === 0, 5000, "the player to fail");
                const both = `${first} ${(await a.handleText("what time is it")).reply}`;
                assert.equal(both.match(/audio open error: No such file or directory/g)?.length, 1, both);
                if (delay === "1") assert.match(both, /^Playing Baby Shark by Pinkfong\. The music stopped with an error: \/bin\/sh could not play .*: audio open error: No such file or directory\. It's /);
            } finally {
                await a.dispose();
            }
        }
    });
});
