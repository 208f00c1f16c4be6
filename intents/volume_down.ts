import { defineIntent } from "hark";

export default defineIntent<{ amount?: number }>({
    name: "volume_down",
    description: "Turns the speaker volume down, by a number of percent or by the configured step.",
    args: {
        type: "object",
        properties: { amount: { type: "integer", minimum: 1, maximum: 100, description: "Percent to change by" } },
        additionalProperties: false
    },
    slots: { amount: { range: { from: 1, to: 100 } } },
    sentences: [
        "(turn|bring) [the] (volume|music|sound|it) down [a (bit|little|notch|touch)]",
        "(decrease|lower|reduce) [the] volume [a (bit|little|notch|touch)]",
        "([a] [bit|little] (quieter|softer)|make it [a bit|a little] (quieter|softer)|volume down|turn it down|too loud|it is too loud)",
        "(turn|bring) [the] (volume|music|sound|it) down by {amount} [percent]",
        "(decrease|lower|reduce) [the] volume by {amount} [percent]"
    ],
    examples: [
        { text: "turn the volume down", args: {} },
        { text: "turn it down by 20 percent", args: { amount: 20 } }
    ],
    async handler({ args, services, signal }) {
        const level = await services.volume.change(-(args.amount ?? services.volume.stepPercent), signal);
        return { speech: `Volume ${level} percent.`, data: { level } };
    }
});
