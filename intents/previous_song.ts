import { defineIntent, describeTrack } from "hark";

export default defineIntent({
    name: "previous_song",
    description: "Goes back to the song before the one hark is playing (at the first song, starts it over).",
    rules: { song: "(song|track|tune|one)" },
    sentences: [
        "previous [<song>]",
        "[go] back to the (previous|last) <song>",
        "(play|go to) the previous <song>",
        "(go|skip) back [a|1] <song>"
    ],
    examples: [
        { text: "previous song", args: {} },
        { text: "go back a song", args: {} }
    ],
    async handler({ services }) {
        const track = await services.music.previous();
        return track ? { speech: `Playing ${describeTrack(track)}.`, data: { track } } : "No music is playing.";
    }
});
