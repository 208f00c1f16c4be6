import { defineIntent } from "hark";

export default defineIntent({
    name: "get_date",
    description: "Says today's date and day of the week.",
    sentences: [
        "what is [the] [todays] date [today]",
        "what (day|date) is (it|today) [today]",
        "what is today",
        "which day is (it|today) [today]",
        "(tell me|do you know) [the] [todays] date",
        "what day of the week is (it|today)",
        "what is the day today"
    ],
    examples: [
        { text: "what's the date today", args: {} },
        { text: "what day is it", args: {} },
        { text: "what's today's date", args: {} }
    ],
    handler() {
        const date = new Date().toLocaleDateString("en-US", { weekday: "long", month: "long", day: "numeric", year: "numeric" });
        return { speech: `Today is ${date}.`, data: { date } };
    }
});
