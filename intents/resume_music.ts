import { defineIntent } from "hark";

export default defineIntent({
    name: "resume_music",
    description: "Resumes the music hark paused, from where it was.",
    sentences: [
        "(resume|unpause)",
        "(resume|unpause|continue|unfreeze) [the|this] (music|song|track|tune|playback)",
        "(continue|keep|carry on|resume|start) playing [the|this] [music|song|track]"
    ],
    examples: [
        { text: "resume", args: {} },
        { text: "resume the music", args: {} },
        { text: "continue playing", args: {} }
    ],
    handler({ services }) {
        const playing = services.music.playing;
        if (playing == null) return "There is no paused music to resume.";
        services.music.resume();
        return { speech: "", data: { track: playing.track } };
    }
});
