import { defineIntent, describeTrack } from "hark";

export default defineIntent({
    name: "next_song",
    description: "Skips to the next song of the music hark is playing.",
    rules: { song: "(song|track|tune|one)" },
    sentences: [
        "(next|skip)",
        "next <song>",
        "(play|skip to|go to|go on to|skip ahead to|jump to) [the] next <song>",
        "skip [this|the] [<song>]",
        "play something else"
    ],
    examples: [
        { text: "next song", args: {} },
        { text: "skip this song", args: {} }
    ],
    async handler({ services }) {
        if (services.music.playing == null) return "No music is playing.";
        const track = await services.music.next();
        return track ? { speech: `Playing ${describeTrack(track)}.`, data: { track } } : "That is the last song.";
    }
});
