import { defineIntent, describeDuration } from "hark";

interface Args { hours?: number; minutes?: number; seconds?: number; label?: string }

export default defineIntent<Args>({
    name: "set_timer",
    description: "Starts a countdown timer for a duration (hours, minutes, seconds), optionally with a name; it rings even after a restart.",
    args: {
        type: "object",
        properties: {
            hours: { type: "integer", minimum: 0, maximum: 99 },
            minutes: { type: "integer", minimum: 0, maximum: 999 },
            seconds: { type: "integer", minimum: 0, maximum: 9999 },
            label: { type: "string", description: "Name of the timer, e.g. pasta" }
        },
        additionalProperties: false
    },
    slots: {
        hours: { range: { from: 0, to: 99 } },
        minutes: { range: { from: 0, to: 999 } },
        seconds: { range: { from: 0, to: 9999 } },
        // "add five minutes to the pasta timer" changes a timer: its "label" would be "to the pasta".
        label: { wildcard: true, exclude: ["to", "off", "from", "onto", "minute", "minutes", "second", "seconds", "hour", "hours", "more", "less", "extra", "another", "longer", "shorter"] }
    },
    rules: {
        set: "(set|start|create|make|add|begin|give me|i need|can you set|could you set|please set)",
        duration: "({hours} hour[s] [[and] {minutes} minute[s]] [[and] {seconds} second[s]]|{minutes} minute[s] [[and] {seconds} second[s]]|{seconds} second[s])",
        timer: "(timer|countdown|count down)"
    },
    sentences: [
        "[<set>] [a|an|the] <timer> (for|of|at) <duration>",
        "[<set>] [a|an] {label} <timer> (for|of) <duration>",
        "[<set>] [a|an] <duration> <timer>",
        "[<set>] [a|an] <duration> {label} <timer>",
        "<timer> <duration>",
        "(remind me|tell me|let me know|wake me [up]) in <duration>",
        "count down (from|for) <duration>",
        { sentences: ["[<set>] [a|an] <timer> (for|of) half an hour", "[<set>] [a] half hour <timer>", "[<set>] [a] half an hour <timer>"], args: { minutes: 30 } },
        { sentences: ["[<set>] [a|an] <timer> (for|of) (an|a) hour", "[<set>] [an] hour <timer>", "[<set>] [a|an] <timer> (for|of) (an|a) hour and a half"], args: { hours: 1 } },
        { sentences: ["[<set>] [a|an] <timer> (for|of) an hour and a half", "[<set>] [a|an] <timer> (for|of) 1 and a half hours"], args: { hours: 1, minutes: 30 } },
        { sentences: ["[<set>] [a|an] <timer> (for|of) a minute", "[<set>] [a] minute <timer>"], args: { minutes: 1 } }
    ],
    examples: [
        { text: "set a timer for five minutes", args: { minutes: 5 } },
        { text: "set a timer for 1 hour 30 minutes", args: { hours: 1, minutes: 30 } },
        { text: "start a ten minute timer", args: { minutes: 10 } },
        { text: "set a pasta timer for twelve minutes", args: { label: "pasta", minutes: 12 } },
        { text: "timer for 90 seconds", args: { seconds: 90 } },
        { text: "set a timer for half an hour", args: { minutes: 30 } },
        { text: "remind me in twenty minutes", args: { minutes: 20 } }
    ],
    async handler({ args, services }) {
        const ms = ((args.hours ?? 0) * 3600 + (args.minutes ?? 0) * 60 + (args.seconds ?? 0)) * 1000;
        if (ms <= 0) return "How long should the timer be?";
        const timer = await services.timers.add(ms, args.label ?? "");
        const lost = services.timers.takeNotices();
        return { speech: [...lost, `${args.label ? `${capitalize(args.label)} timer` : "Timer"} set for ${describeDuration(ms)}.`].join(" "), data: { timer } };
    }
});

function capitalize(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
