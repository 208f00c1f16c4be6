import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INITIAL_VOICE_STATE, nextVoiceState, type VoiceEvent, type VoiceMachineState, type VoiceState } from "../src/pipeline/voice-machine.ts";

const rules = { followUpMs: 5000, wakeDuringTurn: false };
const at = (state: VoiceState, extra: Partial<VoiceMachineState> = {}): VoiceMachineState => ({ ...INITIAL_VOICE_STATE, state, ...extra });
/** The effects' names, with what tells them apart. */
const names = (event: VoiceEvent, from: VoiceMachineState, r = rules) => {
    const { state, effects } = nextVoiceState(from, event, r);
    return { to: state.state, effects: effects.map((e) => ("kind" in e ? `${e.type}:${e.kind}` : "key" in e ? `${e.type}:${e.key}` : "followUp" in e ? `${e.type}${e.followUp ? ":follow-up" : ""}` : e.type)) };
};

describe("the voice loop's rules (no audio, no engines)", () => {
    const table: Array<[string, VoiceMachineState, VoiceEvent, { to: VoiceState; effects: string[] }]> = [
        ["it starts listening, with nothing of an earlier stream in the wake-word detector", at("idle"), { type: "start" }, { to: "listening", effects: ["reset-wake"] }],
        ["audio while listening goes to the wake word", at("listening"), { type: "audio" }, { to: "listening", effects: ["detect-wake"] }],
        ["audio while hark speaks goes to the wake word only", at("speaking"), { type: "audio" }, { to: "speaking", effects: ["detect-wake"] }],
        ["audio while recording goes to the endpointer", at("recording"), { type: "audio" }, { to: "recording", effects: ["push-endpointer"] }],
        ["audio while transcribing is not a command", at("transcribing"), { type: "audio" }, { to: "transcribing", effects: [] }],
        ["the wake word interrupts, chimes and records", at("listening"), { type: "wake" }, { to: "recording", effects: ["interrupt", "sound:wake", "record"] }],
        ["the wake word while hark speaks interrupts it", at("speaking"), { type: "wake" }, { to: "recording", effects: ["interrupt", "sound:wake", "record"] }],
        ["a wake word while understanding changes nothing", at("understanding"), { type: "wake" }, { to: "understanding", effects: [] }],
        ["nobody spoke after the wake word: a notice", at("recording"), { type: "no-speech" }, { to: "speaking", effects: ["say:nothing-heard"] }],
        ["nobody answered a question: the question lapses quietly", at("recording", { followUp: true }), { type: "no-speech" }, { to: "listening", effects: ["drop-pending", "reset-wake"] }],
        ["an utterance is transcribed", at("recording"), { type: "utterance" }, { to: "transcribing", effects: ["transcribe"] }],
        ["text is understood", at("transcribing"), { type: "transcribed", text: "what time is it" }, { to: "understanding", effects: ["understand"] }],
        ["no text: not understood", at("transcribing"), { type: "transcribed", text: "" }, { to: "speaking", effects: ["say:not-understood"] }],
        ["a failed transcriber: says so", at("transcribing"), { type: "transcribed", text: "", failed: true }, { to: "speaking", effects: ["say:transcribe-failed"] }],
        ["the handler runs", at("understanding"), { type: "phase", phase: "acting" }, { to: "acting", effects: [] }],
        ["a playable reply is played after the done sound", at("acting"), { type: "turn-done", failed: false, question: false, playable: true }, { to: "speaking", effects: ["sound:done", "play-reply"] }],
        ["a failed turn sounds the error", at("acting"), { type: "turn-done", failed: true, question: false, playable: true }, { to: "speaking", effects: ["sound:error", "play-reply"] }],
        ["a reply that cannot be played: back to listening", at("acting"), { type: "turn-done", failed: false, question: false, playable: false }, { to: "listening", effects: ["sound:done", "reset-wake"] }],
        ["a question that cannot be played still opens the follow-up", at("acting"), { type: "turn-done", failed: false, question: true, playable: false }, { to: "recording", effects: ["sound:done", "record:follow-up"] }],
        ["a question heard to its end opens the follow-up", at("speaking", { question: true }), { type: "reply-ended", finished: true }, { to: "recording", effects: ["record:follow-up"] }],
        ["a question cut off does not", at("speaking", { question: true }), { type: "reply-ended", finished: false }, { to: "listening", effects: ["reset-wake"] }],
        ["a reply's end after the wake word cut it changes nothing", at("recording"), { type: "reply-ended", finished: false }, { to: "recording", effects: [] }],
        ["a notice said: back to listening", at("speaking"), { type: "said" }, { to: "listening", effects: ["reset-wake"] }],
        ["the stream ends mid-utterance: finish with what was said", at("recording"), { type: "end" }, { to: "recording", effects: ["flush-endpointer"] }],
        ["the stream ends while listening: nothing to do", at("listening"), { type: "end" }, { to: "listening", effects: [] }]
    ];
    for (const [what, from, event, expected] of table) {
        it(what, () => assert.deepEqual(names(event, from), expected));
    }

    it("from a live source the wake word is listened for while a turn runs, and calls the turn off", () => {
        const live = { followUpMs: 5000, wakeDuringTurn: true };
        assert.deepEqual(names({ type: "audio" }, at("acting"), live), { to: "acting", effects: ["detect-wake"] });
        assert.deepEqual(names({ type: "wake" }, at("understanding"), live), { to: "recording", effects: ["cancel-turn", "interrupt", "sound:wake", "record"] });
        assert.deepEqual(names({ type: "audio" }, at("transcribing"), live), { to: "transcribing", effects: [] }, "transcription is short and is not called off");
        assert.deepEqual(names({ type: "transcribed", text: "what time is it" }, at("transcribing"), live), { to: "understanding", effects: ["reset-wake", "understand"] }, "the detector starts afresh after the utterance's gap");
    });

    it("with follow-ups off, a question goes back to the wake word", () => {
        assert.deepEqual(names({ type: "reply-ended", finished: true }, at("speaking", { question: true }), { followUpMs: 0, wakeDuringTurn: false }), { to: "listening", effects: ["reset-wake"] });
    });

    it("a follow-up's recording is no follow-up once an utterance was cut", () => {
        const { state } = nextVoiceState(at("recording", { followUp: true }), { type: "utterance" }, rules);
        assert.equal(state.followUp, false);
    });
});
