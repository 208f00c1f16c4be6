import type { IntentSpec } from "../intents/types.ts";

/**
 * Things people say to a voice assistant that none of hark's built-in intents does: the model must answer `none`
 * to them. Written for hark (no outside data), so the replay set of `hark train lora` has refusals on any machine.
 * A pseudo-intent, so the template sampler can expand it.
 */
export const OUTSIDE_SCOPE: IntentSpec = {
    name: "none",
    description: "requests outside hark's abilities",
    args: { type: "object", properties: {} },
    slots: {
        person: { kind: "values", values: ["mom", "dad", "john", "sarah", "my sister", "the office", "grandma", "alex", "doctor smith", "my boss"].map((v) => ({ in: v, out: v })) },
        item: { kind: "values", values: ["milk", "eggs", "bread", "batteries", "coffee", "paper towels", "apples", "dog food", "shampoo", "rice"].map((v) => ({ in: v, out: v })) },
        thing: { kind: "values", values: ["the kitchen lights", "the lights", "the fan", "the heater", "the tv", "the coffee machine", "the air conditioner", "the vacuum", "the porch light", "the oven"].map((v) => ({ in: v, out: v })) },
        topic: { kind: "values", values: ["the news", "the stock market", "the football scores", "traffic", "my emails", "my calendar", "the headlines", "bitcoin", "the election", "my commute"].map((v) => ({ in: v, out: v })) },
        word: { kind: "values", values: ["serendipity", "ubiquitous", "photosynthesis", "necessary", "rhythm", "quixotic", "entrepreneur", "algorithm", "ephemeral", "mitochondria"].map((v) => ({ in: v, out: v })) },
        day: { kind: "values", values: ["today", "tomorrow", "on monday", "on friday", "next week", "this weekend", "tonight", "at 5 pm"].map((v) => ({ in: v, out: v })) },
        number: { kind: "range", from: 2, to: 999 }
    },
    rules: {
        please: "[please|hey|can you|could you|would you]",
        ask: "(what is|what are|tell me|who is|who was|how do i|how does|why is|where is|when is|do you know)"
    },
    sentences: [{
        args: {},
        sentences: [
            "<please> (call|phone|ring|text|message|email) {person} [{day}]",
            "<please> (add|put) {item} (to|on) [my] (shopping|grocery) list",
            "<please> (remind me|make a note) to (buy|get|pick up) {item} {day}",
            "<please> (turn on|turn off|switch on|switch off|dim|start|open|close) {thing}",
            "<please> (read|check|what is [in|on]) {topic}",
            "<please> how do you spell {word}",
            "<please> (what does|define) {word} [mean]",
            "what is {number} (times|plus|minus|divided by) {number}",
            "<ask> (the capital of france|the president|the tallest mountain|the meaning of life|einstein|the speed of light|a black hole)",
            "(tell me|do you know) a (joke|story|fun fact|riddle|poem)",
            "(how are you|who are you|who made you|are you a robot|do you love me|i love you|you are funny|good morning|good night|thank you|thanks|nice job)",
            "<please> (book|reserve) a table (for {number}|at the italian place) {day}",
            "<please> (order|buy) [some] {item} [online]",
            "<please> (translate|say) (hello|thank you|good night) in (french|spanish|german|japanese)",
            "(what is|show me) my (schedule|agenda|calendar) {day}",
            "<please> (add|schedule) a (meeting|dentist appointment|call) with {person} {day}",
            "how (far|long does it take) (is it|to get) to (the airport|work|the station|paris)",
            "<please> find (a restaurant|a pharmacy|a gas station|coffee) (near me|nearby|around here)",
            "<please> (lock|unlock) the (front door|back door|car)",
            "(what time does|when does) (the store|the bank|the pharmacy|the library) (open|close)",
            "who (won|is winning) the (game|match|race) [last night]",
            "<please> (recommend|suggest) a (movie|book|recipe|podcast) [for tonight]",
            "how many (calories|grams of protein) (are|is) in (an apple|a banana|a slice of pizza)",
            "<please> (wake me up|set an alarm) {day}",
            "(i am|im) (hungry|bored|tired|sad|happy)"
        ]
    }],
    textOnlyRules: [],
    examples: []
};
