import { chooseTimers, defineIntent, describeDuration, describeTimeLeft, describeTimer, durationMs, durationProperties, durationRule, durationSlots, remainingMs, timerLabelSlot, withDurations, type DurationArgs } from "hark";

interface Args extends DurationArgs { direction: "add" | "subtract"; label?: string }

/** "Add 2 minutes to the pasta timer?": a changed timer rings at another time, and nobody notices until it does. */
function question(args: Args): string {
    const timer = args.label ? `the ${args.label} timer` : "the timer";
    const ms = durationMs(args);
    // No amount (a model's answer can leave it out): the handler asks how much after a "yes".
    if (ms <= 0) return `Change ${timer}?`;
    const amount = describeDuration(ms);
    return args.direction === "add" ? `Add ${amount} to ${timer}?` : `Take ${amount} off ${timer}?`;
}

export default defineIntent<Args>({
    name: "change_timer",
    description: "Adds time to a running or paused timer, or takes time off it (by the timer's name when there are several).",
    args: {
        type: "object",
        properties: {
            direction: { type: "string", enum: ["add", "subtract"], description: "add: more time; subtract: less time" },
            ...durationProperties,
            label: { type: "string", description: "Name of the timer, e.g. pizza" }
        },
        required: ["direction"],
        additionalProperties: false
    },
    slots: { ...durationSlots, label: timerLabelSlot },
    confirm: question,
    rules: {
        duration: durationRule,
        timer: "[the|my] [{label}] (timer|countdown)"
    },
    sentences: [
        ...withDurations([
            "(add|put) [another|an extra|an additional] <duration> [more|extra] (to|on|onto) <timer>",
            "add on <duration> to <timer>",
            "(add|put) [another] ({hours} more hour[s]|{minutes} more minute[s]|{seconds} more second[s]) (to|on|onto) <timer>",
            "give <timer> (another|an extra|an additional) <duration>",
            "(extend|lengthen|increase|bump [up]) <timer> [up] by <duration>",
            "make <timer> <duration> longer"
        ], { direction: "add" }),
        ...withDurations([
            "(take|knock|shave|cut) [off] <duration> off <timer>",
            "(take|knock) off <duration> (from|of) <timer>",
            "(subtract|remove|take) <duration> from <timer>",
            "(shorten|reduce|cut|decrease) <timer> by <duration>",
            "make <timer> <duration> shorter"
        ], { direction: "subtract" })
    ],
    examples: [
        { text: "add five minutes to the timer", args: { direction: "add", minutes: 5 } },
        { text: "add 30 seconds to the tea timer", args: { direction: "add", seconds: 30, label: "tea" } },
        { text: "give the pasta timer another two minutes", args: { direction: "add", minutes: 2, label: "pasta" } },
        { text: "take two minutes off the timer", args: { direction: "subtract", minutes: 2 } },
        { text: "subtract a minute from the pizza timer", args: { direction: "subtract", minutes: 1, label: "pizza" } }
    ],
    async handler({ args, services }) {
        const deltaMs = durationMs(args);
        if (deltaMs <= 0) return `How much time should I ${args.direction === "add" ? "add" : "take off"}?`;
        const timers = await services.timers.list();
        if (timers.length === 0) return "There are no timers running.";
        const choice = chooseTimers(timers, { label: args.label }, "change");
        if ("speech" in choice) return choice.speech;
        const timer = choice.timers[0]!;
        const signed = args.direction === "add" ? deltaMs : -deltaMs;
        const changed = await services.timers.adjust(timer.id, signed);
        if (changed == null) {
            return args.direction === "subtract" && remainingMs(timer) <= deltaMs
                ? `The ${describeTimer(timer)} has only ${describeTimeLeft(timer)} left; I left it as it was.`
                : `I couldn't find the ${describeTimer(timer)} any more.`;
        }
        return `${args.direction === "add" ? "Added" : "Took"} ${describeDuration(deltaMs)} ${args.direction === "add" ? "to" : "off"} the ${describeTimer(changed)}; it has ${describeTimeLeft(changed)} left.`;
    }
});
