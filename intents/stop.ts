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
    handler({ services, room }) {
        // Said in a satellite's room, its wake word has already stopped what plays there; this machine's music and
        // voice belong to another room.
        if (room) return { speech: "", data: { stopped: 0, room } };
        const music = services.music.stop();
        const other = services.player.stopAll();
        // Silence is the answer: speaking after "stop" would be the opposite of what was asked.
        return { speech: "", data: { stopped: Number(music) + other } };
    }
});
