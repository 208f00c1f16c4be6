import { chooseTimers, defineIntent, describeDuration, describeTimer, durationMs, durationProperties, durationRule, durationSlots, timerLabelSlot, withDurations, type DurationArgs } from "hark";

interface Args extends DurationArgs { label?: string; all?: boolean }

/** "Cancel the pizza timer?": asked first when the request was not matched exactly. */
function question(args: Args): string {
    if (args.all) return "Cancel all timers?";
    if (args.label) return `Cancel the ${args.label} timer?`;
    const ms = durationMs(args);
    return ms > 0 ? `Cancel the ${describeDuration(ms)} timer?` : "Cancel the timer?";
}

export default defineIntent<Args>({
    name: "cancel_timer",
    description: "Cancels a running timer (by its duration or name), or all timers.",
    args: {
        type: "object",
        properties: { ...durationProperties, label: { type: "string" }, all: { type: "boolean", description: "Cancel every timer" } },
        additionalProperties: false
    },
    slots: { ...durationSlots, label: timerLabelSlot },
    confirm: question,
    rules: {
        cancel: "(cancel|stop|delete|remove|clear|turn off|end|kill|abort)",
        duration: durationRule
    },
    sentences: [
        "<cancel> [the|my] timer",
        ...withDurations(["<cancel> [the|my] <duration> timer", "<cancel> [the|my] timer for <duration>"]),
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
        if (timers.length === 0) return "There are no timers running.";
        const choice = chooseTimers(timers, args, "cancel");
        if ("speech" in choice) return choice.speech;
        const removed = await services.timers.cancel(choice.timers.map((t) => t.id));
        return removed.length === 1 ? `Cancelled the ${describeTimer(removed[0]!)}.` : `Cancelled ${removed.length} timers.`;
    }
});
