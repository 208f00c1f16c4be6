import { defineIntent, describeDuration } from "hark";

export default defineIntent({
    name: "list_timers",
    description: "Says which timers are running and how much time each has left.",
    sentences: [
        "(what|which) timers (are|do i have) [running|set|going|on]",
        "(list|show|tell me) [me] [my|the|all] [running] timers",
        "(do i have|are there|is there) any timers [running|set]",
        "(do i have|is there) a timer [running|set]",
        "how (much|long) [time] [is] (left|remaining) [on [the|my] timer]",
        "how long until [the|my] timer (goes off|is done|rings|ends)",
        "(what is|check) [the|my] timer[s] [status]",
        "time left"
    ],
    examples: [
        { text: "what timers are running", args: {} },
        { text: "how much time is left on the timer", args: {} },
        { text: "do I have any timers", args: {} }
    ],
    async handler({ services }) {
        const timers = await services.timers.list();
        const lost = services.timers.takeNotices().join(" ");
        if (timers.length === 0) return lost ? `${lost} There are no timers running now.` : "There are no timers running.";
        const parts = timers.map((t) => {
            const leftMs = Math.max(0, t.endsAt - Date.now());
            return `${t.label ? `the ${t.label} timer` : `the ${describeDuration(t.durationMs)} timer`} has ${describeDuration(Math.ceil(leftMs / 1000) * 1000)} left`;
        });
        return { speech: `${capitalize(parts.join(", and "))}.`, data: { timers } };
    }
});

function capitalize(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
