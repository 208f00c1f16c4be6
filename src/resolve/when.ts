import type * as Chrono from "chrono-node/en";
import { parseNumberWords } from "../template/index.ts";
import { onFirstUse } from "../util/lazy.ts";

const chrono = onFirstUse<typeof Chrono>("chrono-node/en");

/**
 * A spoken date or time resolved against "now", in local time: `start` and `end` as `YYYY-MM-DDTHH:mm:ss` (no zone).
 * A day runs from 00:00:00 to 23:59:59; a range ("this weekend", "next week") from its first day's start to its last
 * day's end; a moment ("at 5 pm") starts and ends at that moment.
 */
export interface ResolvedWhen {
    /** The words that said it, as found in the sentence. */
    text: string;
    start: string;
    end: string;
}

/** A date or time phrase found in a sentence: where it is and what it means. */
export interface FoundWhen extends ResolvedWhen {
    /** Where `text` starts and how many words it has, in the sentence's words as {@link sentenceWords} splits them. */
    word: number;
    words: number;
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
/** A month by name or its usual abbreviation, as a regular expression alternative. */
const MONTH = String.raw`(${MONTHS.join("|")}|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)`;
const monthNumber = (name: string): number => MONTHS.findIndex((m) => m.startsWith(name.slice(0, 3))) + 1;
/** Units of a span of time and how each is added: days, or months. */
const UNITS: Record<string, { days?: number; months?: number }> = { day: { days: 1 }, week: { days: 7 }, month: { months: 1 }, year: { months: 12 } };
/** A day of the month: "3rd", "15th" (spoken ordinals are written so first, see {@link sentenceWords}). */
const ORDINAL = String.raw`(\d{1,2})(?:st|nd|rd|th)`;
/** The same with the suffix optional, after a month ("march 3"). */
const DAY_NUMBER = String.raw`(\d{1,2})(?:st|nd|rd|th)?`;

const ORDINAL_WORDS: Record<string, number> = {
    first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, eleventh: 11,
    twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17, eighteenth: 18, nineteenth: 19,
    twentieth: 20, thirtieth: 30
};
const suffix = (n: number): string => (n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th");

/** Fixed-date holidays by name (month 1-12, day); the next one on or after today is meant. */
const HOLIDAYS: Array<[RegExp, number, number]> = [
    [/christmas eve/, 12, 24],
    [/(?:christmas|xmas)(?: day)?/, 12, 25],
    [/boxing day/, 12, 26],
    [/new years? eve/, 12, 31],
    [/new years?(?: day)?/, 1, 1],
    [/valentines?(?: day)?/, 2, 14],
    [/halloween/, 10, 31],
    [/(?:st |saint )?patricks day/, 3, 17],
    [/(?:the )?(?:fourth|4th) of july|independence day/, 7, 4]
];

/**
 * Finds the first date or time said in `sentence` and resolves it against `now`. chrono-node reads most phrasings;
 * the ones it misses or reads another way than a household means them (holidays, "on the 15th", "a fortnight",
 * "friday the 11th", "a week from friday", the weekend and the week as ranges) are read here first.
 */
export function findWhen(sentence: string, now: Date): FoundWhen | null {
    const said = sentenceWords(sentence);
    const { words, from } = collapseNumbers(said);
    const text = words.join(" ");
    const found = [...ownPhrases(text, now), ...chronoPhrases(text, now)];
    if (found.length === 0) return null;
    // The earliest phrase; of those starting together, the longest (chrono's "friday" loses to "friday the 11th").
    found.sort((a, b) => a.index - b.index || b.text.length - a.text.length);
    const best = found[0]!;
    // Back from the words chrono-node read ("in 23 minutes") to the words said ("in twenty three minutes").
    const first = text.slice(0, best.index).split(" ").length - 1;
    const last = first + best.text.split(" ").length;
    const word = from[first]!;
    const end = last < from.length ? from[last]! : said.length;
    return { text: said.slice(word, end).join(" "), start: best.start, end: best.end, word, words: end - word };
}

/** Resolves a phrase that is all date or time ("tomorrow", "on friday the 11th"); `null` when it is not one. */
export function resolveWhen(phrase: string, now: Date): ResolvedWhen | null {
    const found = findWhen(phrase, now);
    return found && { text: phrase.trim(), start: found.start, end: found.end };
}

/**
 * A sentence's words as dates are looked for in them: no accents, lower case, apostrophes and stray punctuation out
 * (":" and "/" stay, for "14:45" and "12/25"), "p m" as "pm".
 */
export function sentenceWords(sentence: string): string[] {
    return sentence
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/['\u2019]/g, "")
        .replace(/[^a-z0-9:/ ]+/g, " ")
        .replace(/\b([ap]) m\b/g, "$1m")
        .split(/\s+/)
        .filter(Boolean);
}

/**
 * Spoken numbers as digits ("twenty three" → "23"; chrono-node reads only single number words) and spoken ordinals
 * as written ("twenty first" → "21st"), with where each word came from.
 */
function collapseNumbers(said: readonly string[]): { words: string[]; from: number[] } {
    const words: string[] = [];
    const from: number[] = [];
    for (let i = 0; i < said.length;) {
        from.push(i);
        const tens = said[i] === "twenty" ? 20 : said[i] === "thirty" ? 30 : 0;
        const ordinal = ORDINAL_WORDS[said[tens ? i + 1 : i] ?? ""];
        if (ordinal != null && (!tens || ordinal < 10)) {
            const n = tens + ordinal;
            words.push(`${n}${suffix(n)}`);
            i += tens ? 2 : 1;
            continue;
        }
        const n = said[i] === "a" || said[i] === "an" ? null : parseNumberWords(said, i);
        if (n == null) words.push(said[i++]!);
        else {
            words.push(String(n.value));
            i += n.length;
        }
    }
    return { words, from };
}

type Span = [start: Date, end: Date];
type Phrase = ResolvedWhen & { index: number };

function ownPhrases(text: string, now: Date): Phrase[] {
    const today = startOfDay(now);
    const out: Phrase[] = [];
    const rule = (pattern: RegExp, resolve: (m: RegExpExecArray) => Span | null): void => {
        const re = new RegExp(String.raw`\b(?:${pattern.source})\b`, "g");
        for (let m = re.exec(text); m; m = re.exec(text)) {
            const span = resolve(m);
            if (span) out.push({ text: m[0], index: m.index, start: localDateTime(span[0]), end: localDateTime(span[1]) });
        }
    };
    const day = (d: Date): Span => [d, endOfDay(d)];

    const holiday = (name: string): Date | null => {
        const h = HOLIDAYS.find(([re]) => new RegExp(`^(?:${re.source})$`).test(name));
        return h ? nextDate(today, h[1], h[2]) : null;
    };
    const holidayNames = HOLIDAYS.map(([re]) => re.source).join("|");
    rule(new RegExp(String.raw`the day (before|after) (${holidayNames})`), (m) => {
        const d = holiday(m[2]!);
        return d ? day(addDays(d, m[1] === "after" ? 1 : -1)) : null;
    });
    rule(new RegExp(`(?:on )?(${holidayNames})`), (m) => {
        const d = holiday(m[1]!);
        return d ? day(d) : null;
    });

    // A clock time with seconds ("00:09:07 am"): chrono-node reads a part of it.
    rule(/(?:at )?(\d{1,2}):(\d{2}):(\d{2})(?: ?([ap]m))?/, (m) => {
        const hour = Number(m[1]) % 12 + (m[4] === "pm" ? 12 : m[4] === "am" ? 0 : Number(m[1]) >= 12 ? 12 : 0);
        let at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hour, Number(m[2]), Number(m[3]));
        if (at < now) at = addDays(at, 1);
        return [at, at];
    });
    // Seasons, as the northern hemisphere has them: spring March to May, summer June to August, fall September to
    // November, winter December to February.
    rule(/(this|next|last|the)? ?(spring|summer|fall|autumn|winter)/, (m) => {
        const first = { spring: 2, summer: 5, fall: 8, autumn: 8, winter: 11 }[m[2] as "spring"]!;
        const season = (year: number): Span => [new Date(year, first, 1), endOfDay(new Date(year, first + 3, 0))];
        let year = now.getFullYear() - 1;
        while (season(year)[1] < today) year++; // the season going on now, or the next one
        if (m[1] === "next" && season(year)[0] <= today) year++;
        if (m[1] === "last") year--;
        const [start, end] = season(year);
        return [m[1] === "last" ? start : maxDate(start, today), end];
    });
    // chrono-node reads only the "now" of "right now", which would leave "right" in a name.
    rule(/right now|just now|right away/, () => [now, now]);
    rule(/in a fortnight|a fortnight from (?:now|today)/, () => day(addDays(today, 14)));
    rule(/in (\d+) fortnights?/, (m) => day(addDays(today, 14 * Number(m[1]))));

    // "a week from friday", "a week from today", "2 weeks from tomorrow"
    rule(new RegExp(String.raw`(a|\d+) weeks? from (today|now|tomorrow|${WEEKDAYS.join("|")})`), (m) => {
        const weeks = m[1] === "a" ? 1 : Number(m[1]);
        const from = m[2] === "today" || m[2] === "now" ? today : m[2] === "tomorrow" ? addDays(today, 1) : nextWeekday(today, WEEKDAYS.indexOf(m[2]!), false);
        return day(addDays(from, 7 * weeks));
    });

    // "friday the 11th", "on wednesday the 9th": the day of the month decides; the weekday only confirms it.
    rule(new RegExp(String.raw`(?:on )?(?:${WEEKDAYS.join("|")}) the ${ORDINAL}`), (m) => dayOfMonth(today, Number(m[1])));
    // "on the 15th", or "the 31st" ending the sentence (no month; "the second city" is a name): the next such day.
    rule(new RegExp(String.raw`on the ${ORDINAL}(?! of)|the ${ORDINAL}$`), (m) => dayOfMonth(today, Number(m[1] ?? m[2])));
    // "march the 3rd 2031", "the 3rd of january", "on the 1st of december"
    rule(new RegExp(String.raw`(?:on )?${MONTH} the ${DAY_NUMBER}(?: (\d{4}))?`), (m) => monthDay(today, monthNumber(m[1]!), Number(m[2]), m[3]));
    rule(new RegExp(String.raw`(?:on )?the ${DAY_NUMBER} of ${MONTH}(?: (\d{4}))?`), (m) => monthDay(today, monthNumber(m[2]!), Number(m[1]), m[3]));
    // "in 15 and a half weeks", "8 years and a half from now": chrono-node drops the half.
    const half = (n: string, unit: string): Span | null => {
        const u = UNITS[unit];
        if (u == null) return null;
        const whole = Number(n);
        const d = u.days != null ? addDays(today, Math.round((whole + 0.5) * u.days)) : addMonths(today, Math.round((whole + 0.5) * u.months!));
        return day(d);
    };
    rule(/(?:in )?(\d+) and a half (day|week|month|year)s?(?: from (?:now|today))?/, (m) => half(m[1]!, m[2]!));
    rule(/(?:in )?(\d+) (day|week|month|year)s? and a half(?: from (?:now|today))?/, (m) => half(m[1]!, m[2]!));
    // "last february": the one before now.
    rule(new RegExp(String.raw`last ${MONTH}`), (m) => {
        const month = monthNumber(m[1]!) - 1;
        const year = month < now.getMonth() ? now.getFullYear() : now.getFullYear() - 1;
        return [new Date(year, month, 1), endOfDay(new Date(year, month + 1, 0))];
    });

    // Weekends and weeks are ranges: the weekend is Saturday and Sunday; a week runs Monday to Sunday, and "this
    // week" is what is left of it.
    const saturday = now.getDay() === 0 ? addDays(today, -1) : nextWeekday(today, 6, true);
    rule(/(?:this|the|this coming) weekend|weekend/, () => [maxDate(saturday, today), endOfDay(addDays(saturday, 1))]);
    rule(/next weekend/, () => [addDays(saturday, 7), endOfDay(addDays(saturday, 8))]);
    rule(/the weekend after next/, () => [addDays(saturday, 7), endOfDay(addDays(saturday, 8))]);
    const sunday = addDays(today, (7 - now.getDay()) % 7);
    rule(/this week|the rest of (?:this|the) week/, () => [today, endOfDay(sunday)]);
    rule(/next week/, () => [addDays(sunday, 1), endOfDay(addDays(sunday, 7))]);
    rule(/the week after next/, () => [addDays(sunday, 8), endOfDay(addDays(sunday, 14))]);
    rule(/this month/, () => [today, endOfDay(new Date(now.getFullYear(), now.getMonth() + 1, 0))]);
    rule(/next month/, () => [new Date(now.getFullYear(), now.getMonth() + 1, 1), endOfDay(new Date(now.getFullYear(), now.getMonth() + 2, 0))]);
    // "in january": the whole month, this year's if it has not ended, else next year's.
    rule(new RegExp(`(?:in|during|for) (${MONTHS.join("|")})(?! \\d)(?! the)`), (m) => {
        const month = MONTHS.indexOf(m[1]!);
        const year = month < now.getMonth() ? now.getFullYear() + 1 : now.getFullYear();
        return month === now.getMonth() ? [today, endOfDay(new Date(year, month + 1, 0))] : [new Date(year, month, 1), endOfDay(new Date(year, month + 1, 0))];
    });
    return out;
}

function chronoPhrases(text: string, now: Date): Phrase[] {
    return chrono().casual.parse(text, { instant: now }, { forwardDate: true }).map((r) => {
        const start = r.start.date();
        const end = r.end?.date();
        // A phrase that names a time of day ("at 5 pm", "tonight") is a moment; one that only names a day is the whole day.
        const timed = r.start.isCertain("hour");
        const span: Span = end ? [timed ? start : startOfDay(start), r.end!.isCertain("hour") ? end : endOfDay(end)] : timed ? [start, start] : [startOfDay(start), endOfDay(start)];
        return { text: r.text, index: r.index, start: localDateTime(span[0]), end: localDateTime(span[1]) };
    });
}

/** The next date (today included) that is day `day` of a month, or null if no month in the next year has it. */
function dayOfMonth(today: Date, day: number): Span | null {
    if (day < 1 || day > 31) return null;
    for (let k = 0; k < 12; k++) {
        const d = new Date(today.getFullYear(), today.getMonth() + k, day);
        if (d.getDate() === day && d >= today) return [d, endOfDay(d)];
    }
    return null;
}

function monthDay(today: Date, month: number, day: number, year: string | undefined): Span | null {
    const d = year ? new Date(Number(year), month - 1, day) : nextDate(today, month, day);
    return d.getMonth() === month - 1 ? [d, endOfDay(d)] : null;
}

/** The next `month`/`day` on or after `today`. */
function nextDate(today: Date, month: number, day: number): Date {
    const d = new Date(today.getFullYear(), month - 1, day);
    return d < today ? new Date(today.getFullYear() + 1, month - 1, day) : d;
}

/** The next `weekday` (0 = Sunday) after `today`, or today itself when `includeToday`. */
function nextWeekday(today: Date, weekday: number, includeToday: boolean): Date {
    const ahead = (weekday - today.getDay() + 7) % 7;
    return addDays(today, ahead === 0 && !includeToday ? 7 : ahead);
}

function startOfDay(d: Date): Date {
    return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

function endOfDay(d: Date): Date {
    return new Date(d.getFullYear(), d.getMonth(), d.getDate(), 23, 59, 59);
}

/** `days` calendar days later, at the same wall-clock time (a daylight-saving change is not a day). */
function addDays(d: Date, days: number): Date {
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, d.getHours(), d.getMinutes(), d.getSeconds());
}

/** `months` calendar months later, on the same day (or the month's last, if it has no such day). */
function addMonths(d: Date, months: number): Date {
    const target = new Date(d.getFullYear(), d.getMonth() + months, 1);
    const last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
    return new Date(target.getFullYear(), target.getMonth(), Math.min(d.getDate(), last));
}

function maxDate(a: Date, b: Date): Date {
    return a > b ? a : b;
}

/** `YYYY-MM-DDTHH:mm:ss` in local time. */
export function localDateTime(d: Date): string {
    const p = (n: number): string => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

