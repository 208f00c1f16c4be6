/**
 * The voice loop's rules, apart from its engines: a state, the events that move it, and a pure function that says
 * the next state and what to do (the effects). {@link VoicePipeline} runs the effects with real engines and feeds their
 * outcomes back in as events; tests drive this function with a table and no audio.
 */

/** Where the voice loop is. */
export type VoiceState = "idle" | "listening" | "recording" | "transcribing" | "understanding" | "acting" | "speaking";

/** The loop's state with what it remembers between events. */
export interface VoiceMachineState {
    state: VoiceState;
    /** Recording the answer to a question (no wake word was said): silence then is no error. */
    followUp: boolean;
    /** The reply being spoken asks a question: its end opens the follow-up window. */
    question: boolean;
}

/** What happens to the loop: audio, the engines' outcomes, the turn's progress. */
export type VoiceEvent =
    | { type: "start" }
    /** A chunk of audio arrived. */
    | { type: "audio" }
    /** The audio source ended. */
    | { type: "end" }
    /** The wake word: heard here, or by a satellite that starts the turn itself. */
    | { type: "wake" }
    /** The endpointer gave up: nobody spoke. */
    | { type: "no-speech" }
    /** The endpointer cut an utterance. */
    | { type: "utterance" }
    /** The transcriber's text ("" when it heard nothing it could use); `failed` when it failed. */
    | { type: "transcribed"; text: string; failed?: boolean }
    /** The turn moved on (the assistant reports it). */
    | { type: "phase"; phase: "acting" | "speaking" }
    /** The turn is done; `playable` when its reply can be played now. */
    | { type: "turn-done"; failed: boolean; question: boolean; playable: boolean }
    /** The reply being played ended (`finished`) or was cut off. */
    | { type: "reply-ended"; finished: boolean }
    /** A notice that is not a turn ("Sorry, I didn't hear anything.") has been said. */
    | { type: "said" };

/** What the loop does next; each names the engine or output it drives. */
export type VoiceEffect =
    | { type: "detect-wake" }
    | { type: "push-endpointer" }
    /** The stream ended mid-utterance: finish with what was said. */
    | { type: "flush-endpointer" }
    /** Stop what plays where the loop listens (its reply, music, an announcement). */
    | { type: "interrupt" }
    | { type: "sound"; kind: "wake" | "done" | "error" }
    | { type: "record"; followUp: boolean }
    | { type: "transcribe" }
    | { type: "understand" }
    /** The wake word came while a turn was being handled: that turn is called off (its handler's signal aborts). */
    | { type: "cancel-turn" }
    | { type: "play-reply" }
    /** Say a notice that is not a turn; `key` picks the words, and "quiet-or-not-understood" may be silence. */
    | { type: "say"; key: "nothing-heard" | "not-understood" | "transcribe-failed" }
    | { type: "reset-wake" }
    /** A question went unanswered: the call that waited for "yes" lapses. */
    | { type: "drop-pending" };

/** Settings the rules depend on. */
export interface VoiceRules {
    /** After a question, listen this long without the wake word; 0 turns follow-ups off. */
    followUpMs: number;
    /** The audio is live: the wake word is listened for while a turn is understood and acted on, and cancels it. */
    wakeDuringTurn: boolean;
}

/** The loop before it runs. */
export const INITIAL_VOICE_STATE: VoiceMachineState = { state: "idle", followUp: false, question: false };

type Step = { state: VoiceMachineState; effects: VoiceEffect[] };

/** The next state and the effects to run, for `event` in `current`. An event a state does not expect changes nothing. */
export function nextVoiceState(current: VoiceMachineState, event: VoiceEvent, rules: VoiceRules): Step {
    const to = (state: VoiceState, effects: VoiceEffect[] = [], extra: Partial<VoiceMachineState> = {}): Step => ({ state: { ...current, state, ...extra }, effects });
    const stay: Step = { state: current, effects: [] };
    const { state } = current;
    const turnRunning = state === "understanding" || state === "acting";
    const listeningForWake = state === "listening" || state === "speaking" || (rules.wakeDuringTurn && turnRunning);
    const backToListening = (): Step => to("listening", [{ type: "reset-wake" }], { followUp: false, question: false });
    // After a reply: a question opens the follow-up window; anything else goes back to the wake word.
    const afterReply = (question: boolean): Step => (question && rules.followUpMs > 0
        ? to("recording", [{ type: "record", followUp: true }], { followUp: true, question: false })
        : backToListening());

    switch (event.type) {
        // A new stream starts from nothing: what the wake-word detector heard of the last one must not count.
        case "start":
            return state === "idle" ? to("listening", [{ type: "reset-wake" }], { followUp: false, question: false }) : stay;
        case "audio":
            // While hark speaks only the wake word is listened for: nothing it says is recorded as a command.
            if (listeningForWake) return { state: current, effects: [{ type: "detect-wake" }] };
            if (state === "recording") return { state: current, effects: [{ type: "push-endpointer" }] };
            return stay;
        case "end":
            return state === "recording" ? { state: current, effects: [{ type: "flush-endpointer" }] } : stay;
        case "wake":
            if (!listeningForWake) return stay;
            return to("recording", [...(turnRunning ? [{ type: "cancel-turn" } as const] : []), { type: "interrupt" }, { type: "sound", kind: "wake" }, { type: "record", followUp: false }], { followUp: false, question: false });
        case "no-speech":
            if (state !== "recording") return stay;
            // Nobody answered a follow-up question: that is fine, go back to waiting for the wake word.
            if (current.followUp) return to("listening", [{ type: "drop-pending" }, { type: "reset-wake" }], { followUp: false });
            return to("speaking", [{ type: "say", key: "nothing-heard" }]);
        case "utterance":
            return state === "recording" ? to("transcribing", [{ type: "transcribe" }], { followUp: false }) : stay;
        case "transcribed":
            if (state !== "transcribing") return stay;
            if (event.failed) return to("speaking", [{ type: "say", key: "transcribe-failed" }]);
            if (!event.text) return to("speaking", [{ type: "say", key: "not-understood" }]);
            // Listening for the wake word again after the gap of the utterance: what the detector held is stale.
            return to("understanding", rules.wakeDuringTurn ? [{ type: "reset-wake" }, { type: "understand" }] : [{ type: "understand" }]);
        case "phase":
            return state === "understanding" || state === "acting" ? to(event.phase) : stay;
        case "turn-done": {
            if (state !== "understanding" && state !== "acting" && state !== "speaking") return stay;
            const sound: VoiceEffect = { type: "sound", kind: event.failed ? "error" : "done" };
            if (event.playable) return to("speaking", [sound, { type: "play-reply" }], { question: event.question });
            const after = afterReply(event.question);
            return { state: after.state, effects: [sound, ...after.effects] };
        }
        case "reply-ended":
            // A reply cut off by the wake word has already moved the loop on.
            return state === "speaking" ? afterReply(current.question && event.finished) : stay;
        case "said":
            return state === "speaking" ? backToListening() : stay;
    }
}
