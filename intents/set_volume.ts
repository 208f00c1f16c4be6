import { defineIntent } from "hark";

export default defineIntent<{ level: number }>({
    name: "set_volume",
    description: "Sets the speaker volume to a level from 0 to 100 percent.",
    args: {
        type: "object",
        properties: { level: { type: "integer", minimum: 0, maximum: 100, description: "Volume in percent" } },
        required: ["level"],
        additionalProperties: false
    },
    slots: { level: { range: { from: 0, to: 100 } } },
    sentences: [
        "(set|change|turn|put|adjust) [the] volume (to|at) {level} [percent|%]",
        "(increase|raise|lower|reduce|decrease|drop) [the] volume to {level} [percent]",
        "(turn|bring|put|crank) [the] (volume|music|sound|it) (up|down) to {level} [percent]",
        "volume [to] {level} [percent]",
        "(set|turn) [it] to volume {level}",
        { sentences: ["(set|turn|put) [the] volume to (max|maximum|full|100)", "max[imum] volume", "full volume", "(turn|crank) [the] (volume|music|sound|it) all the way up"], args: { level: 100 } },
        { sentences: ["mute", "mute [the] (sound|volume|speaker|audio)", "(set|turn) [the] volume to (zero|0|off)"], args: { level: 0 } },
        { sentences: ["(set|turn|put) [the] volume to half", "half volume"], args: { level: 50 } }
    ],
    examples: [
        { text: "set the volume to 40 percent", args: { level: 40 } },
        { text: "volume seventy", args: { level: 70 } },
        { text: "turn the volume up to 60", args: { level: 60 } },
        { text: "mute", args: { level: 0 } }
    ],
    async handler({ args, services, signal }) {
        const level = await services.volume.set(args.level, signal);
        return { speech: level === 0 ? "Muted." : `Volume set to ${level} percent.`, data: { level } };
    }
});
