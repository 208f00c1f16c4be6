import { defineIntent } from "hark";

export default defineIntent({
    name: "stop",
    description: "Stops whatever hark is playing or saying.",
    sentences: [
        "(stop|halt|quiet|silence|enough|cancel|shush|hush)",
        "stop (it|that|the music|playing|the song|talking|speaking|everything)",
        "(be quiet|shut up|that is enough|turn (it|the music) off|turn off the music)"
    ],
    examples: [
        { text: "stop", args: {} },
        { text: "stop the music", args: {} },
        { text: "be quiet", args: {} }
    ],
    handler({ services }) {
        const music = services.music.stop();
        const other = services.player.stopAll();
        // Silence is the answer: speaking after "stop" would be the opposite of what was asked.
        return { speech: "", data: { stopped: Number(music) + other } };
    }
});
