import { defineIntent } from "hark";

export default defineIntent({
    name: "get_time",
    description: "Says the current time.",
    sentences: [
        "what time is it [now|right now]",
        "what is the [current] time [now|right now]",
        "(tell me|do you know|have you got|what is) the time",
        "time [please|check]",
        "what time do you have",
        "(can|could) you tell me the time",
        "(do you know|can you tell me|could you tell me|tell me) what time it is"
    ],
    examples: [
        { text: "what time is it", args: {} },
        { text: "what's the time", args: {} },
        { text: "tell me the time", args: {} }
    ],
    handler() {
        // "9:05 PM" by hand: toLocaleTimeString's first call loads ICU's data, about 60 ms of a `hark ask`.
        const now = new Date();
        const time = `${now.getHours() % 12 || 12}:${String(now.getMinutes()).padStart(2, "0")} ${now.getHours() < 12 ? "AM" : "PM"}`;
        return { speech: `It's ${time}.`, data: { time } };
    }
});
