import { chooseTimers, defineIntent, describeTimeLeft, describeTimer, timerLabelSlot } from "hark";

interface Args { label?: string; all?: boolean }

export default defineIntent<Args>({
    name: "resume_timer",
    description: "Starts a paused timer (by its name), or all paused timers, again from where it was paused.",
    args: {
        type: "object",
        properties: { label: { type: "string", description: "Name of the timer, e.g. pizza" }, all: { type: "boolean", description: "Resume every paused timer" } },
        additionalProperties: false
    },
    slots: { label: timerLabelSlot },
    rules: {
        resume: "(resume|unpause|continue|unfreeze|carry on with|keep going with)",
        timer: "(timer|countdown|count down)"
    },
    sentences: [
        "<resume> [the|my] [paused] <timer>",
        "<resume> [the|my] {label} <timer>",
        "(start|let) [the|my] [paused] <timer> (again|continue|go again)",
        "(start|let) [the|my] {label} <timer> (again|continue|go again)",
        { sentences: ["<resume> (all|every) [[of] (my|the)] [paused] timer[s]", "<resume> [the|my] [paused] timers"], args: { all: true } }
    ],
    examples: [
        { text: "resume the timer", args: {} },
        { text: "unpause the egg timer", args: { label: "egg" } },
        { text: "resume all timers", args: { all: true } }
    ],
    async handler({ args, services }) {
        const timers = await services.timers.list();
        if (timers.length === 0) return "There are no timers to resume.";
        const paused = timers.filter((t) => t.pausedRemainingMs != null);
        if (paused.length === 0 && !args.label) return timers.length === 1 ? `The ${describeTimer(timers[0]!)} is not paused.` : "No timer is paused.";
        const choice = chooseTimers(args.label ? timers : paused, args, "resume");
        if ("speech" in choice) return choice.speech;
        const resumed = await services.timers.resume(choice.timers.map((t) => t.id));
        if (resumed.length === 0) return choice.timers.length === 1 ? `The ${describeTimer(choice.timers[0]!)} is not paused.` : "None of those timers is paused.";
        if (resumed.length > 1) return `Resumed ${resumed.length} timers.`;
        return `Resumed the ${describeTimer(resumed[0]!)}, with ${describeTimeLeft(resumed[0]!)} left.`;
    }
});
