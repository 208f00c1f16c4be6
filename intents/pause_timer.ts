import { chooseTimers, defineIntent, describeTimeLeft, describeTimer, timerLabelSlot } from "hark";

interface Args { label?: string; all?: boolean }

/** "Pause the pizza timer?": a timer paused by mistake never rings. */
function question(args: Args): string {
    if (args.all) return "Pause all timers?";
    return args.label ? `Pause the ${args.label} timer?` : "Pause the timer?";
}

export default defineIntent<Args>({
    name: "pause_timer",
    description: "Pauses a running timer (by its name), or all timers, keeping the time it has left.",
    args: {
        type: "object",
        properties: { label: { type: "string", description: "Name of the timer, e.g. pizza" }, all: { type: "boolean", description: "Pause every timer" } },
        additionalProperties: false
    },
    slots: { label: timerLabelSlot },
    confirm: question,
    rules: {
        pause: "(pause|hold|freeze)",
        timer: "(timer|countdown|count down)",
        moment: "for a (moment|second|sec|bit|while)"
    },
    sentences: [
        "<pause> [the|my] [paused|running] <timer> [<moment>]",
        "<pause> [the|my] {label} <timer> [<moment>]",
        "stop [the|my] <timer> <moment>",
        "put [the|my] [{label}] <timer> on hold",
        { sentences: ["<pause> (all|every) [[of] (my|the)] timer[s]", "<pause> [the|my] timers", "put (all|all of) [my|the] timers on hold"], args: { all: true } }
    ],
    examples: [
        { text: "pause the timer", args: {} },
        { text: "pause the pizza timer", args: { label: "pizza" } },
        { text: "put the rice timer on hold", args: { label: "rice" } },
        { text: "pause all timers", args: { all: true } }
    ],
    async handler({ args, services }) {
        const timers = await services.timers.list();
        if (timers.length === 0) return "There are no timers running.";
        const running = timers.filter((t) => t.pausedRemainingMs == null);
        // A named timer is looked for among all, so "pause the pizza timer" can say it already is.
        if (running.length === 0 && !args.label) return timers.length === 1 ? `The ${describeTimer(timers[0]!)} is already paused.` : "Every timer is already paused.";
        const choice = chooseTimers(args.label ? timers : running, args, "pause");
        if ("speech" in choice) return choice.speech;
        const paused = await services.timers.pause(choice.timers.map((t) => t.id));
        if (paused.length === 0) return choice.timers.length === 1 ? `The ${describeTimer(choice.timers[0]!)} is already paused.` : "Those timers are already paused.";
        if (paused.length > 1) return `Paused ${paused.length} timers.`;
        return `Paused the ${describeTimer(paused[0]!)}, with ${describeTimeLeft(paused[0]!)} left.`;
    }
});
