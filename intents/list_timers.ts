import { chooseTimers, defineIntent, describeDuration, describeTimeLeft, timerLabelSlot, type Timer } from "hark";

/** "the pasta timer has 4 minutes left", "the 10 minutes timer is paused with 2 minutes left". */
function status(timer: Timer): string {
    const left = describeTimeLeft(timer);
    const name = timer.label ? `the ${timer.label} timer` : `the ${describeDuration(timer.durationMs)} timer`;
    return timer.pausedRemainingMs != null ? `${name} is paused with ${left} left` : `${name} has ${left} left`;
}

export default defineIntent<{ label?: string }>({
    name: "list_timers",
    description: "Says which timers are running and how much time each has left, or how long one named timer has left.",
    args: {
        type: "object",
        properties: { label: { type: "string", description: "Name of the one timer asked about" } },
        additionalProperties: false
    },
    slots: { label: timerLabelSlot },
    sentences: [
        "(what|which) timers (are|do i have) [running|set|going|on]",
        "(list|show|tell me) [me] [my|the|all] [running] timers",
        "(do i have|are there|is there) any timers [running|set|going]",
        "(do i have|is there) a timer [running|set|going]",
        "how (much|long) [time] [is] (left|remaining) [on [the|my] timer]",
        "how long until [the|my] timer (goes off|is done|rings|ends)",
        "(what is|check) [the|my] timer[s] [status]",
        "time left",
        "how (much|long) [time] [is] (left|remaining) on [the|my] {label} timer",
        "how long until [the|my] {label} timer (goes off|is done|rings|ends)",
        "(what is|how much is) (left|remaining) on [the|my] {label} timer",
        "(check|status of) [the|my] {label} timer",
        "how is [the|my] {label} timer (doing|going)"
    ],
    examples: [
        { text: "what timers are running", args: {} },
        { text: "how much time is left on the timer", args: {} },
        { text: "do I have any timers", args: {} },
        { text: "how long left on the pizza timer", args: { label: "pizza" } },
        { text: "how long until the rice timer goes off", args: { label: "rice" } }
    ],
    async handler({ args, services }) {
        const timers = await services.timers.list();
        if (timers.length === 0) return "There are no timers running.";
        const choice = args.label ? chooseTimers(timers, args, "check") : { timers };
        if ("speech" in choice) return choice.speech;
        const parts = choice.timers.map(status);
        return { speech: `${capitalize(parts.join(", and "))}.`, data: { timers: choice.timers } };
    }
});

function capitalize(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
