import { defineIntent } from "hark";

export default defineIntent({
    name: "pause_music",
    description: "Pauses the music hark is playing, to resume it later where it was.",
    sentences: [
        "pause [for a (moment|second|sec|bit|while)]",
        "(pause|hold) [the|this] (music|song|track|tune|playback|playing) [for a (moment|second|sec|bit|while)]",
        "pause playing"
    ],
    examples: [
        { text: "pause", args: {} },
        { text: "pause the music", args: {} }
    ],
    handler({ services }) {
        const track = services.music.pause();
        // As with "stop", the answer is the silence itself.
        return track ? { speech: "", data: { track } } : "No music is playing.";
    }
});
