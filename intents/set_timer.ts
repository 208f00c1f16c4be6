import { defineIntent, describeDuration, durationMs, durationProperties, durationRule, durationSlots, timerLabelSlot, withDurations, type DurationArgs } from "hark";

interface Args extends DurationArgs { label?: string }

export default defineIntent<Args>({
    name: "set_timer",
    description: "Starts a countdown timer for a duration (hours, minutes, seconds), optionally with a name; it rings even after a restart.",
    args: {
        type: "object",
        properties: { ...durationProperties, label: { type: "string", description: "Name of the timer, e.g. pasta" } },
        additionalProperties: false
    },
    slots: { ...durationSlots, label: timerLabelSlot },
    rules: {
        set: "(set|start|create|make|add|begin|give me|i need|can you set|could you set|please set)",
        duration: durationRule,
        timer: "(timer|countdown|count down)"
    },
    sentences: withDurations([
        "[<set>] [a|an|the] <timer> (for|of|at) <duration>",
        "[<set>] [a|an] {label} <timer> (for|of) <duration>",
        "[<set>] [a|an] <timer> (called|named) {label} (for|of) <duration>",
        "[<set>] [a|an] <timer> (for|of) <duration> (called|named|for [the]) {label}",
        "[<set>] [a|an] <duration> <timer>",
        "[<set>] [a|an] <duration> {label} <timer>",
        "[<set>] [a|an] <duration> <timer> (called|named|for [the]) {label}",
        "<timer> <duration>",
        "(remind me|tell me|let me know|wake me [up]) in <duration>",
        "count down (from|for) <duration>"
    ]),
    examples: [
        { text: "set a timer for five minutes", args: { minutes: 5 } },
        { text: "set a timer for 1 hour 30 minutes", args: { hours: 1, minutes: 30 } },
        { text: "start a ten minute timer", args: { minutes: 10 } },
        { text: "set a pasta timer for twelve minutes", args: { label: "pasta", minutes: 12 } },
        { text: "timer for 90 seconds", args: { seconds: 90 } },
        { text: "set a timer for half an hour", args: { minutes: 30 } },
        { text: "set a timer for two and a half minutes", args: { minutes: 2, seconds: 30 } },
        { text: "set a timer for an hour and a half", args: { hours: 1, minutes: 30 } },
        { text: "set a 3 minute timer called noodles", args: { minutes: 3, label: "noodles" } },
        { text: "remind me in twenty minutes", args: { minutes: 20 } }
    ],
    async handler({ args, services, room }) {
        const ms = durationMs(args);
        if (ms <= 0) return "How long should the timer be?";
        // Set in a satellite's room, it rings there.
        const timer = await services.timers.add(ms, args.label ?? "", room);
        const lost = services.timers.takeNotices();
        return { speech: [...lost, `${args.label ? `${capitalize(args.label)} timer` : "Timer"} set for ${describeDuration(ms)}.`].join(" "), data: { timer } };
    }
});

function capitalize(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
