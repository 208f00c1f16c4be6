import { defineIntent } from "hark";

export default defineIntent<{ amount?: number }>({
    name: "volume_up",
    description: "Turns the speaker volume up, by a number of percent or by the configured step.",
    args: {
        type: "object",
        properties: { amount: { type: "integer", minimum: 1, maximum: 100, description: "Percent to change by" } },
        additionalProperties: false
    },
    slots: { amount: { range: { from: 1, to: 100 } } },
    sentences: [
        "(turn|crank|pump|bring) [the] (volume|music|sound|it) up [a (bit|little|notch|touch)]",
        "(increase|raise|boost) [the] volume [a (bit|little|notch|touch)]",
        "([a] [bit|little] louder|make it [a bit|a little] louder|speak up|i can not hear you|volume up|turn it up)",
        "(turn|crank|pump|bring) [the] (volume|music|sound|it) up by {amount} [percent]",
        "(increase|raise|boost) [the] volume by {amount} [percent]"
    ],
    examples: [
        { text: "turn the volume up", args: {} },
        { text: "turn it up by 20 percent", args: { amount: 20 } }
    ],
    async handler({ args, services, signal }) {
        const level = await services.volume.change((args.amount ?? services.volume.stepPercent), signal);
        return { speech: `Volume ${level} percent.`, data: { level } };
    }
});
