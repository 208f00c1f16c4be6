import { defineIntent, localDateTime, type ResolvedWhen } from "hark";

// Open-Meteo's WMO weather codes, as words that read well after "it will be" / "with".
const CONDITIONS: Record<number, string> = {
    0: "clear skies", 1: "mostly clear skies", 2: "partly cloudy skies", 3: "overcast skies", 45: "fog", 48: "freezing fog",
    51: "light drizzle", 53: "drizzle", 55: "heavy drizzle", 56: "freezing drizzle", 57: "heavy freezing drizzle",
    61: "light rain", 63: "rain", 65: "heavy rain", 66: "freezing rain", 67: "heavy freezing rain",
    71: "light snow", 73: "snow", 75: "heavy snow", 77: "snow grains", 80: "rain showers", 81: "heavy rain showers",
    82: "violent rain showers", 85: "snow showers", 86: "heavy snow showers", 95: "thunderstorms",
    96: "thunderstorms with hail", 99: "thunderstorms with heavy hail"
};
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
/** How far ahead Open-Meteo forecasts. */
const FORECAST_DAYS = 16;

interface Place { name: string; latitude: number; longitude: number }
interface Forecast {
    current?: { temperature_2m: number; weather_code: number };
    daily: { time: string[]; weather_code: number[]; temperature_2m_max: number[]; temperature_2m_min: number[]; precipitation_probability_max?: Array<number | null> };
}

// Small in-memory cache: the same question twice in ten minutes asks the service once.
const cache = new Map<string, { at: number; value: unknown }>();

/** Words for a time of day that name no day of their own: they mean today. */
const TODAY_WORDS = /^(now|right now|currently|later|later today|sunset|sunrise|lunchtime|dinnertime)$/;

/** The days asked about, as `YYYY-MM-DD` (first and last), or why there are none to tell. */
function daysAsked(when: string | undefined, resolved: ResolvedWhen | null | undefined, today: string): { first: string; last: string } | { speech: string } {
    if (!when || (resolved == null && TODAY_WORDS.test(when))) return { first: today, last: today };
    if (resolved == null) return { speech: `I'm not sure which day you mean by ${when}.` };
    const first = resolved.start.slice(0, 10);
    const last = resolved.end.slice(0, 10);
    if (last < today) return { speech: "That day has passed; I can only tell the forecast." };
    const ahead = daysBetween(today, first);
    if (ahead >= FORECAST_DAYS) return { speech: `I can only see ${FORECAST_DAYS} days ahead, and ${when} is ${ahead} days away.` };
    return { first: first < today ? today : first, last };
}

function daysBetween(from: string, to: string): number {
    return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// A room, an appliance or a tub of water has a temperature, not a forecast (Bath the city has one: only "the bath" is a
// tub); a game, a film, a dream, a screen or a market has no forecast at all.
const NO_FORECAST = [
    "room", "bedroom", "kitchen", "bathroom", "basement", "garage", "hallway", "nursery", "attic", "upstairs", "downstairs", "inside",
    "indoors", "house", "oven", "fridge", "freezer", "greenhouse", "conservatory", "shed", "pool", "tub", "the bath", "my bath",
    "a bath", "bath water", "bathwater", "bathtub", "fish tank", "sauna", "hot tub", "jacuzzi", "steam room", "cellar", "loft",
    "cupboard", "game", "film", "movie", "dream", "simulator", "webcam", "screen", "stock market", "markets", "economy", "house prices",
    // Other worlds have no forecast hark can get (Jupiter, Neptune and Half Moon Bay are towns).
    "mars", "saturn", "uranus", "pluto", "outer space", "space station", "the sun", "planet"
];
// Of those, the ones the speech grammar does not listen for: each was heard in place of a real place ("lisbon" as
// "basement", "miami" as "economy") and never in a request about the thing over the whole speech bench (docs/precision.md).
const UNHEARD = new Set(["basement", "economy"]);

export default defineIntent<{ location?: string; when?: string }>({
    name: "get_weather",
    description: "Tells the weather forecast for a place (or home, when no place is said) for today, tomorrow or a day this week.",
    dates: ["when"],
    args: {
        type: "object",
        properties: {
            location: { type: "string", description: "City or place name, as said" },
            when: { type: "string", description: "today, tomorrow, tonight, a weekday, this weekend, this week" }
        },
        additionalProperties: false
    },
    slots: {
        location: {
            wildcard: true,
            exclude: NO_FORECAST,
            // Heard too: "what's the weather like in the film" is turned down, not heard as Tokyo.
            hearExcluded: NO_FORECAST.filter((phrase) => !UNHEARD.has(phrase)),
            // "the greenhouse", "my office", "the cruise ship": a thing said with "the" or "my" that WordNet knows as no
            // place (or natural object: "the beach", "the mountains") has no forecast. A bare name ("Castle") is not judged.
            kinds: ["location", "object"],
            // Where the place is said to be, how it is asked about, and "here": no part of the place's name.
            trim: [
                "<here>", "[my|the|this] (current|present) (location|place|spot|position|area)", "my (location|area|place)", "this area",
                "(in|at|of|on|for|over|near|nearby|around|close to|close by|not far from|far from|far from here in|(within|in) walking distance (of|from)|in the (area|vicinity) of|the (same area|region) as|the area (around|of))",
                "the (country|state|city|town|region|province|area) of",
                "(and|or) (nearby|close by|around|the surrounding area|the area)", "(right now|now|currently|today|please|this time)",
                "for (warmer|hotter|colder|cooler|frosty|freezing|nice|sunny|rainy|snowy|windy|stormy|good|bad) weather"
            ]
        },
        when: {
            values: [
                "today", "tonight", "now", "right now", "later", "later today", "this morning", "this afternoon", "this evening",
                "tomorrow", "tomorrow morning", "tomorrow afternoon", "tomorrow evening", "tomorrow night", "the day after tomorrow",
                "this weekend", "the weekend", "this week", "next week",
                { in: "todays", out: "today" }, { in: "tomorrows", out: "tomorrow" }, { in: "this weeks", out: "this week" },
                ...WEEKDAYS, ...WEEKDAYS.map((d) => `next ${d}`), ...WEEKDAYS.map((d) => `this ${d}`),
                "noon", "midday", "midnight", "lunchtime", "sunset", "sunrise",
                ...Array.from({ length: 12 }, (_, h) => [`${h + 1} am`, `${h + 1} pm`, `${h + 1} oclock`, `${h + 1} in the morning`, `${h + 1} in the evening`]).flat()
            ]
        }
    },
    textOnlyRules: ["outlook", "at"],
    rules: {
        ask: "(what is|what will be|how is|how will be|tell me|give me|show me|check|get|what does|what is going to be|how does|i want|i need|i would like|i would like to know|i want to know|can you tell me|could you tell me|let me know|find out|look up)",
        weather: "(weather|forecast|weather forecast|weather report|temperature|weather like|<outlook>)",
        // Typed, not listened for: out loud, these words were what most speech that was no request got heard as.
        outlook: "(conditions|weather conditions|weather outlook|outlook)",
        // "at london", "at tuesday": heard far more often than said.
        at: "at",
        place: "(in|<at>|for|near|around|over|close to|not far from|nearby) {location}",
        here: "(here|nearby|near me|around here|close by|outside|where i am|[at|in] (my|the) (current|present) (location|place|spot|position|area)|in my area)",
        day: "[on|for|<at>|around|by|during] {when}",
        condition: "(rain|snow|storm|hail|be sunny|be cloudy|be windy|be foggy|be hot|be cold|be warm|be nice|be rainy|be snowy|freeze|be freezing|pour|drizzle|shower|be (warmer|colder|hotter|chilly|chillier|cooler|humid|overcast|stormy|icy|frosty|cloudier|sunnier|windier))",
        noun: "(rain|snow|snowfall|a storm|storms|a snowstorm|a thunderstorm|thunderstorms|hail|fog|wind|sun|sunshine|a blizzard|a heat wave|a heatwave|frost|showers|a hurricane|a tornado|sleet|drizzle|clouds)",
        gear: "(umbrella|an umbrella|a jacket|jacket|a coat|coat|layers|gloves|my gloves|shorts|sunscreen|a raincoat|a rain coat|a hat|a scarf|boots|a sweater|sunglasses|an umbrella with me)",
        will: "(will it|is it (going to|gonna)|is it supposed to|does it look like it will|is there going to be|should it|would it)"
    },
    sentences: [
        "[<ask>] [the] [current] <weather> [like] [<place>] [<day>]",
        "[<ask>] [the] [current] <weather> [like] <day> <place>",
        "[<ask>] [the] {when} <weather> [like] [<place>]",
        "[<ask>] [the] <weather> (going to be|gonna be|be) [like] [<place>] [<day>]",
        "[<ask>] [the] {location} <weather> [<day>]",
        "what will the weather be [like] [<place>] [<day>]",
        "what will the weather be [like] <day> <place>",
        "(what is|how is|how will) it [going to be] [look] like (outside|out there|out) [<place>] [<day>]",
        "<will> <condition> [<place>|<here>] [<day>]",
        "<will> <condition> <day> [<place>|<here>]",
        "(will there be|is there going to be|is there|are there going to be|any) [a|an|any|some] <noun> [expected|forecast] [<place>|<here>] [<day>]",
        "(will there be|is there going to be|is there|any) [a|an|any|some] <noun> [expected|forecast] <day> [<place>|<here>]",
        "[<ask>] [the] <weather> [like] <here> [<day>]",
        "what is the <noun> (like|forecast) [<place>] [<day>]",
        "how (hot|cold|warm|chilly|windy) (is it|will it be|is it going to be|does it get) [outside] [<place>] [<day>]",
        "how (hot|cold|warm|chilly|windy) (is it|will it be|is it going to be) <day> <place>",
        "(do i need|should i (wear|bring|take|pack)|do i need to (wear|bring|take|pack)|will i need [to (wear|bring|take)]|am i going to need [to (wear|bring|take)]|can i (wear|get away with)|should i dress in) [my] <gear> [<day>] [<place>] [<day>]",
        "(is it|will it be|is it going to be) (hot|cold|warm|sunny|rainy|raining|snowing|cloudy|windy|foggy|freezing|nice) [(outside|out)|<place>|<here>] [<day>]",
        "what is the (high|low|high temperature|low temperature|temperature high|temperature low) [<day>] [<place>]",
        "what is the (high|low|high temperature|low temperature) <place> <day>"
    ],
    examples: [
        { text: "what's the weather in boston tomorrow", args: { location: "boston", when: "tomorrow" } },
        { text: "what is the weather like", args: {} },
        { text: "how's the weather in paris", args: { location: "paris" } },
        { text: "will it rain tomorrow", args: { when: "tomorrow" } },
        { text: "weather in new york on friday", args: { location: "new york", when: "friday" } },
        { text: "what's the forecast for this weekend", args: { when: "this weekend" } },
        { text: "london weather", args: { location: "london" } },
        { text: "how cold is it outside", args: {} },
        { text: "is it going to snow in denver tonight", args: { location: "denver", when: "tonight" } },
        { text: "do i need an umbrella today", args: { when: "today" } }
    ],
    async handler({ args, resolved, config, services, signal, log }) {
        const get = async <T>(url: string): Promise<T> => {
            const hit = cache.get(url);
            if (hit && Date.now() - hit.at < config.weather.cacheTtlMs) return hit.value as T;
            const response = await services.fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(config.weather.timeoutMs)]) });
            if (!response.ok) throw new Error(`${url} answered ${response.status}`);
            const value = (await response.json()) as T;
            cache.set(url, { at: Date.now(), value });
            return value;
        };
        const today = localDateTime(new Date()).slice(0, 10);
        const days = daysAsked(args.when, resolved.when, today);
        if ("speech" in days) return days;

        let place: Place;
        try {
            if (args.location) {
                const url = `${config.weather.geocodingUrl}?${new URLSearchParams({ name: args.location, count: "1", language: "en", format: "json" })}`;
                const found = (await get<{ results?: Array<Place & { country?: string }> }>(url)).results?.[0];
                if (!found) return { speech: `I couldn't find a place called ${args.location}.` };
                place = found;
            } else if (config.weather.home) {
                place = config.weather.home;
            } else {
                return { speech: "Which place? Say a city, or set weather.home in the config so I know where home is." };
            }
            const url = `${config.weather.forecastUrl}?${new URLSearchParams({
                latitude: String(place.latitude), longitude: String(place.longitude),
                current: "temperature_2m,weather_code",
                daily: "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
                temperature_unit: config.weather.temperatureUnit, timezone: "auto", forecast_days: String(FORECAST_DAYS)
            })}`;
            const forecast = await get<Forecast>(url);
            return { speech: describe(forecast, place.name, days, today, args.when), data: { place, days } };
        } catch (error) {
            if (signal.aborted) throw error;
            log.warn({ err: error }, "weather service unreachable");
            return { speech: "Sorry, I can't reach the weather service right now. Please try again later.", data: { error: (error as Error).message } };
        }
    }
});

function describe(forecast: Forecast, place: string, days: { first: string; last: string }, today: string, when: string | undefined): string {
    const d = forecast.daily;
    const round = (n: number | undefined): number => Math.round(n ?? NaN);
    const first = d.time.indexOf(days.first);
    if (first < 0) return `I don't have a forecast for that day for ${place}.`;
    const lastIndex = d.time.indexOf(days.last);
    const last = lastIndex < 0 ? d.time.length - 1 : lastIndex;
    if (last > first) {
        const highs = d.temperature_2m_max.slice(first, last + 1).map(round);
        const lows = d.temperature_2m_min.slice(first, last + 1).map(round);
        const wet = d.weather_code.slice(first, last + 1).filter((c) => c >= 51).length;
        const span = when ? when.replace(/^(on|for|in|during) /, "").replace(/^\w/, (c) => c.toUpperCase()) : "These days";
        const cut = lastIndex < 0 ? ` (the forecast reaches only ${FORECAST_DAYS} days ahead)` : "";
        return `${span} in ${place}${cut}: highs between ${Math.min(...highs)} and ${Math.max(...highs)} degrees, lows down to ${Math.min(...lows)}, ` +
            (wet ? `with rain or snow on ${wet} day${wet === 1 ? "" : "s"}.` : "and dry throughout.");
    }
    const code = d.weather_code[first]!;
    const rain = d.precipitation_probability_max?.[first];
    const chance = rain != null && rain >= 20 ? ` ${rain} percent chance of rain.` : "";
    const range = `a high of ${round(d.temperature_2m_max[first])} and a low of ${round(d.temperature_2m_min[first])} degrees`;
    if (days.first === today) {
        const now = forecast.current ? `Right now in ${place} it's ${round(forecast.current.temperature_2m)} degrees with ${CONDITIONS[forecast.current.weather_code] ?? "mixed weather"}. ` : `In ${place}, `;
        return `${now}Today: ${CONDITIONS[code] ?? "mixed weather"}, ${range}.${chance}`;
    }
    return `${dayName(days.first, today)} in ${place}: ${CONDITIONS[code] ?? "mixed weather"}, ${range}.${chance}`;
}

/** "Tomorrow", "Friday" within the week ahead, "Friday, December 11" further off. */
function dayName(day: string, today: string): string {
    const ahead = daysBetween(today, day);
    if (ahead === 1) return "Tomorrow";
    const date = new Date(`${day}T12:00:00Z`);
    const weekday = WEEKDAYS[date.getUTCDay()]!.replace(/^\w/, (c) => c.toUpperCase());
    return ahead < 7 ? weekday : `${weekday}, ${date.toLocaleDateString("en-US", { month: "long", day: "numeric", timeZone: "UTC" })}`;
}
