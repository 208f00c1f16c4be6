import { defineIntent, describeDuration, type Timer } from "hark";

interface Args { hours?: number; minutes?: number; seconds?: number; label?: string; all?: boolean }

const describeTimer = (t: Timer): string => `${t.label ? `${t.label} ` : ""}${describeDuration(t.durationMs)} timer`;

/** "Cancel the pizza timer?": asked first when the request was not matched exactly. */
function question(args: Args): string {
    if (args.all) return "Cancel all timers?";
    if (args.label) return `Cancel the ${args.label} timer?`;
    const ms = ((args.hours ?? 0) * 3600 + (args.minutes ?? 0) * 60 + (args.seconds ?? 0)) * 1000;
    return ms > 0 ? `Cancel the ${describeDuration(ms)} timer?` : "Cancel the timer?";
}

export default defineIntent<Args>({
    name: "cancel_timer",
    description: "Cancels a running timer (by its duration or name), or all timers.",
    args: {
        type: "object",
        properties: {
            hours: { type: "integer", minimum: 0 },
            minutes: { type: "integer", minimum: 0 },
            seconds: { type: "integer", minimum: 0 },
            label: { type: "string" },
            all: { type: "boolean", description: "Cancel every timer" }
        },
        additionalProperties: false
    },
    slots: {
        hours: { range: { from: 0, to: 99 } }, minutes: { range: { from: 0, to: 999 } }, seconds: { range: { from: 0, to: 9999 } },
        label: { wildcard: true, exclude: ["to", "off", "from", "minute", "minutes", "second", "seconds", "hour", "hours", "more", "less"] }
    },
    confirm: question,
    rules: {
        cancel: "(cancel|stop|delete|remove|clear|turn off|end|kill|abort)",
        duration: "({hours} hour[s] [[and] {minutes} minute[s]]|{minutes} minute[s] [[and] {seconds} second[s]]|{seconds} second[s])"
    },
    sentences: [
        "<cancel> [the|my] timer",
        "<cancel> [the|my] <duration> timer",
        "<cancel> [the|my] timer for <duration>",
        "<cancel> [the|my] {label} timer",
        { sentences: ["<cancel> all [[of] (my|the)] timers", "<cancel> [the|my] timers", "<cancel> every timer"], args: { all: true } }
    ],
    examples: [
        { text: "cancel the timer", args: {} },
        { text: "cancel the five minute timer", args: { minutes: 5 } },
        { text: "stop the pasta timer", args: { label: "pasta" } },
        { text: "cancel all timers", args: { all: true } }
    ],
    async handler({ args, services }) {
        const timers = await services.timers.list();
        // A timers file that could not be read was moved aside: say so rather than only "no timers".
        const lost = services.timers.takeNotices().join(" ");
        if (timers.length === 0) return lost || "There are no timers running.";
        const wantedMs = ((args.hours ?? 0) * 3600 + (args.minutes ?? 0) * 60 + (args.seconds ?? 0)) * 1000;
        let chosen = timers;
        if (!args.all) {
            if (args.label) chosen = timers.filter((t) => t.label.toLowerCase() === args.label!.toLowerCase());
            else if (wantedMs > 0) chosen = timers.filter((t) => t.durationMs === wantedMs);
            if (chosen.length === 0) return `I couldn't find that timer. You have ${timers.map(describeTimer).join(" and ")}.`;
            if (chosen.length > 1) return `You have ${chosen.length} timers: ${chosen.map(describeTimer).join(" and ")}. Which one should I cancel?`;
        }
        const removed = await services.timers.cancel(chosen.map((t) => t.id));
        return removed.length === 1 ? `Cancelled the ${describeTimer(removed[0]!)}.` : `Cancelled ${removed.length} timers.`;
    }
});
