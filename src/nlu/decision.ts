import type { IntentSpec } from "../intents/types.ts";
import { anotherKind } from "../resolve/kinds.ts";
import { isTrimPhrase } from "../resolve/names.ts";
import { intentVocabulary, markRun } from "../resolve/spans.ts";
import { findWhen } from "../resolve/when.ts";
import { WordNet } from "../resolve/wordnet.ts";
import { intentWords, isFunctionWord, namesNothing, normalizedText, SENTENCE_END, SENTENCE_START, slotPlaces, tokenize, wordPlaces, type SlotList, type SlotPlace } from "../template/index.ts";
import type { Recognition } from "./recognizer.ts";

/** What becomes of a turn: act, turn it down (with the reason), or ask first (with the question). */
export type Decision =
    | { verdict: "accept" }
    | { verdict: "reject"; reason: string }
    | { verdict: "confirm"; reason: string; question: string };

/** What is known about the text before any engine reads it. */
export interface TextEvidence {
    /**
     * Where the text came from when it was heard: the transcriber, how sure it was (0..1; absent: it cannot tell), and
     * whether the room was loud when the wake word was said (other voices or noise under the request).
     */
    transcript?: { engine: string; confidence?: number; loudRoom?: boolean };
}

/** The thresholds a {@link DecisionPolicy} applies. */
export interface DecisionThresholds {
    /** A transcript less sure than this is turned down before any engine reads it. */
    minTranscriptConfidence: number;
    /** A transcript less sure than this is "not exact": an intent that asks first asks. */
    sureTranscriptConfidence: number;
    /** Whether an intent that asks first asks about every heard request, however sure its transcript. */
    confirmHeardChanges?: boolean;
    /**
     * A transcript at least {@link minTranscriptConfidence} but less sure than `below` is asked about whatever its
     * intent, with `question` ("{text}" stands for what was heard). Absent: none is.
     */
    askAboutHeard?: { below: number; question: string };
    /**
     * In a loud room a transcript is also asked about when it is less sure than {@link sureTranscriptConfidence}: under
     * other speech the grammar recognizer hears other sentences, and some of them surely.
     */
    askUnlessSureInLoudRoom?: boolean;
}

/** Known values of wildcard slots by slot name (titles in the music folder ...): a value among them is a name, whatever its words. */
export type KnownValues = (slot: string) => Promise<readonly string[]>;

/**
 * The one accept / reject / confirm decision of a turn, from what each stage reports: how sure the transcript is, how
 * the text matched (exact template, fuzzy with edits, a model with a probability), and what the intent does (an
 * intent that changes or destroys state and was not matched exactly is confirmed first).
 */
export class DecisionPolicy {
    public constructor(private readonly thresholds: DecisionThresholds, private readonly knownValues: KnownValues = async () => []) {}

    /** Turns down text whose transcript is too unsure to act on, before any engine is asked. Null: go on. */
    public screen(evidence: TextEvidence): Decision | null {
        const confidence = evidence.transcript?.confidence;
        const min = this.thresholds.minTranscriptConfidence;
        if (confidence != null && confidence < min) return { verdict: "reject", reason: `transcript confidence ${confidence} is below ${min}: it does not sound like a sentence hark knows` };
        return null;
    }

    /** Decides about an engine's accepted answer for `intent`, read from `text`. */
    public async decide(recognition: Recognition, intent: IntentSpec | undefined, evidence: TextEvidence, text: string): Promise<Decision> {
        if (intent == null) return { verdict: "reject", reason: `no intent named ${recognition.intent} is loaded` };
        const invented = inventedNumber(recognition, text) ?? inventedValue(recognition, intent, text);
        if (invented) return { verdict: "reject", reason: invented };
        const baseless = unfounded(recognition, intent, text);
        if (baseless) return { verdict: "reject", reason: baseless };
        const stray = strayWord(recognition, intent, text);
        if (stray) return { verdict: "reject", reason: stray };
        const measure = measureAsName(recognition, intent);
        if (measure) return { verdict: "reject", reason: measure };
        const misplaced = misplacedName(recognition, intent, text);
        if (misplaced) return { verdict: "reject", reason: misplaced };
        const other = await this.namesAnotherThing(recognition, intent, text);
        if (other) return { verdict: "reject", reason: other };
        if (intent.confirm != null) {
            const unsure = this.unsure(recognition, evidence);
            if (unsure) return { verdict: "confirm", reason: `${intent.name} changes what is set up, and ${unsure}`, question: intent.confirm(recognition.args) };
            return { verdict: "accept" };
        }
        const heard = evidence.transcript?.confidence;
        const ask = this.thresholds.askAboutHeard;
        if (heard == null || ask == null) return { verdict: "accept" };
        const loud = evidence.transcript?.loudRoom === true && this.thresholds.askUnlessSureInLoudRoom === true;
        const below = loud ? Math.max(ask.below, this.thresholds.sureTranscriptConfidence) : ask.below;
        if (heard >= below) return { verdict: "accept" };
        return {
            verdict: "confirm",
            reason: loud && heard >= ask.below
                ? `the room is loud and the transcript is not sure (confidence ${heard}, below ${below}): hark asks whether it heard right`
                : `the transcript is only middling sure (confidence ${heard}, below ${ask.below}): hark asks whether it heard right`,
            question: ask.question.replaceAll("{text}", text.trim())
        };
    }

    /** Why the match is not exact (fuzzy edits, a model's guess, an unsure transcript), or null when it is. */
    private unsure(recognition: Recognition, evidence: TextEvidence): string | null {
        const detail = recognition.detail ?? {};
        if (recognition.source !== "template") return `the ${recognition.source} engine's answer is a guess (p ${Math.round(recognition.confidence * 1000) / 1000})`;
        if (detail.fuzzy) return `the sentence matched a template only with edits (${((detail.edits as string[] | undefined) ?? []).join(", ")})`;
        const transcript = evidence.transcript?.confidence;
        if (transcript != null && transcript < this.thresholds.sureTranscriptConfidence) return `the transcript is not sure (confidence ${transcript})`;
        if (evidence.transcript && this.thresholds.confirmHeardChanges) return `the request was heard (${evidence.transcript.engine}), and a recognizer can hear another request as this one`;
        return null;
    }

    /**
     * A wildcard value that names another kind of thing than its slot holds, or nothing at all, and is no known name:
     * why it is turned down. It contains a phrase the slot excludes ("movie" in a song), or WordNet says so of its head
     * noun (`notKinds`: "the dishwasher" is a home appliance; `kinds`: "the film" is no location), or it only points
     * ("us", "the other one": a model copies such words into a name as readily as any).
     */
    private async namesAnotherThing(recognition: Recognition, intent: IntentSpec, text: string): Promise<string | null> {
        for (const [slot, value] of Object.entries(recognition.args)) {
            const list = intent.slots[slot];
            if (list?.kind !== "wildcard" || typeof value !== "string") continue;
            const said = normalizedText(value);
            const reason = namesNothing(value.toLowerCase().split(/\s+/)) ? `${slot} "${value}" points at something instead of naming it` : anotherThing(slot, value, said, list, text);
            if (reason == null) continue;
            const known = (await this.knownValues(slot)).some((v) => normalizedText(v) === said);
            if (!known) return reason;
        }
        return null;
    }
}

/** Why a wildcard value names another kind of thing than its slot holds (`said`: the value normalised), or null. */
function anotherThing(slot: string, value: string, said: string, list: Extract<SlotList, { kind: "wildcard" }>, text: string): string | null {
    const excluded = list.exclude?.find((phrase) => ` ${said} `.includes(` ${phrase} `));
    const why = excluded != null ? `"${excluded}"` : list.notKinds?.length || list.kinds?.length ? anotherKind(WordNet.shared(), said, list, text) : null;
    return why == null ? null : `${slot} "${value}" names another kind of thing (${why})`;
}

/** Number arguments named after a unit, and the unit "a" or "an" counts one of. */
const UNITS: Record<string, string> = { hours: "hour", minutes: "minute", seconds: "second" };

/**
 * A number a model put into an argument that the sentence does not say ("three quarters of an hour" → 33 hours), or
 * null. A template reads its numbers from the sentence; a model may write any, and a timer of the wrong length is
 * worse than none. "a" and "an" say 1 (of the unit after them, for hours, minutes and seconds), "half" 30, "quarter"
 * 15 and 45.
 */
function inventedNumber(recognition: Recognition, text: string): string | null {
    if (recognition.source === "template") return null;
    const tokens = tokenize(text).map((t) => t.text);
    const said = new Set(tokens.filter((t) => /^\d+$/.test(t)).map(Number));
    // "a" or "an" says one of what follows it: "an hour" is 1 hour, but no minute ("how many minutes in a day").
    const ones = new Set(tokens.flatMap((t, i) => (t === "a" || t === "an") && i + 1 < tokens.length ? [tokens[i + 1]!] : []));
    // A fraction of an hour or a minute says its minutes or seconds ("two and a half hours": 30).
    if (tokens.includes("half")) said.add(30);
    if (tokens.includes("quarter") || tokens.includes("quarters")) said.add(15).add(45);
    // A number of hours, minutes or seconds needs a unit of time said with it: "count to ten" is no 10-second timer.
    const timed = tokens.some((t) => TIME_UNITS.has(t));
    for (const [slot, value] of Object.entries(recognition.args)) {
        if (typeof value !== "number") continue;
        const unit = UNITS[slot];
        if (unit != null && !timed) return `${slot} ${value} is said with no unit of time: the ${recognition.source} engine made the unit up`;
        if (said.has(value)) continue;
        if (value === 1 && (unit == null ? ones.size > 0 : ones.has(unit))) continue;
        return `${slot} ${value} is not a number the sentence says: the ${recognition.source} engine made it up`;
    }
    return null;
}

/**
 * A value of a listed slot that a model wrote and the sentence does not say, or that the list lacks, or null: the
 * answer grammar lets a model write any of a list's values, and "put the towel rail on" is no request for big beat;
 * nor is "put the steamer on" one for the genre "steamer". A value is said when one of the phrases that give it is in
 * the sentence. A date (the intent's `dates`) may be any the sentence says.
 */
function inventedValue(recognition: Recognition, intent: IntentSpec, text: string): string | null {
    if (recognition.source === "template") return null;
    const sentence = ` ${normalizedText(text)} `;
    for (const [slot, value] of Object.entries(recognition.args)) {
        const list = intent.slots[slot];
        if (list?.kind !== "values") continue;
        const phrases = list.values.filter((v) => v.out === value).map((v) => normalizedText(v.in));
        // A date may be any the sentence says (it is resolved from the words); any other value must be on the list.
        if (phrases.length === 0) {
            if (intent.dates?.includes(slot)) continue;
            return `${slot} "${String(value)}" is none of the values its list allows: the ${recognition.source} engine made it up`;
        }
        if (phrases.some((phrase) => sentence.includes(` ${phrase} `))) continue;
        return `${slot} "${String(value)}" is not said in the sentence: the ${recognition.source} engine made it up`;
    }
    return null;
}

/** Words that name a unit of time. */
const TIME_UNITS = new Set(["hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "second", "seconds", "sec", "secs"]);

const ownWords = new WeakMap<IntentSpec, Set<string>>();

/** The words an intent's sentences, rules and listed values spell out, less function words ("the", "to"). */
function ownWordsOf(intent: IntentSpec): Set<string> {
    let own = ownWords.get(intent);
    if (own == null) {
        own = new Set([...intentWords(intent)].filter((word) => !isFunctionWord(word)));
        ownWords.set(intent, own);
    }
    return own;
}

/**
 * Why an engine's answer has nothing in the sentence to stand on, or null: a model may choose an intent none of whose
 * own words were said ("go to sleep for an hour" → the weather for "go"). An intent's own words are
 * those its sentences, rules and listed values spell out, less the words that tie any sentence together ("the",
 * "to"); a template's match says them by construction.
 */
function unfounded(recognition: Recognition, intent: IntentSpec, text: string): string | null {
    if (recognition.source === "template") return null;
    const own = ownWordsOf(intent);
    if (tokenize(text).some((t) => own.has(t.text))) return null;
    return `the sentence says none of ${intent.name}'s own words: the ${recognition.source} engine's answer has nothing to stand on`;
}

/**
 * A word an answer without arguments has no place for, or null. Every word an intent is said with is spelled out in
 * its sentences, rules, lists and trim phrases, but for its names: so a model's "turn up the tv" is no volume_up and
 * "what time is it in tokyo" no get_time. An intent that takes names (a wildcard slot) may have been said with one the
 * model left out, so a word of none of its lists may stand where one of its names could begin (after a word its
 * sentences put before that name, or a trim phrase: "warm here for brunch"), or after another such word; "open the
 * weather app" leaves "app" where no name goes.
 */
function strayWord(recognition: Recognition, intent: IntentSpec, text: string): string | null {
    if (recognition.source === "template" || Object.keys(recognition.args).length > 0) return null;
    const named = Object.entries(intent.slots).filter(([, list]) => list.kind === "wildcard").map(([slot]) => slot);
    // Trim phrases' words ("sort", "eighties") are the intent's too: none of them is a name.
    const own = intentVocabulary(intent);
    const words = tokenize(text).map((t) => t.text);
    let inName = false;
    for (let i = 0; i < words.length; i++) {
        const word = words[i]!;
        if (isFunctionWord(word) || own.has(word)) {
            if (!ARTICLES.has(word)) inName = false;
            continue;
        }
        inName ||= named.some((slot) => nameMayStart(intent, slot, words, i));
        if (inName) continue;
        return named.length === 0
            ? `"${word}" is none of ${intent.name}'s words, and ${intent.name} takes no name it could be: the ${recognition.source} engine's answer leaves it unexplained`
            : `"${word}" is none of ${intent.name}'s words and stands where none of its names begins: the ${recognition.source} engine's answer leaves it unexplained`;
    }
    return null;
}

/** The words just before `words[from]` (over "the", "a", "an"): the nearest first. */
function wordsBefore(words: readonly string[], from: number): string[] {
    const word = (i: number): string => (i < 0 ? SENTENCE_START : words[i]!);
    const before = [word(from - 1)];
    if (ARTICLES.has(before[0]!)) before.push(word(from - 2));
    return before;
}

/** Whether a phrase of the slot's trim list ends just before `end` ("in", "close by"). */
function trimLed(intent: IntentSpec, slot: string, words: readonly string[], end: number): boolean {
    return [1, 2, 3, 4].some((n) => end - n >= 0 && isTrimPhrase(intent, slot, words.slice(end - n, end).join(" ")));
}

/** Whether a name of `slot` may begin at `words[from]`: led into by a word the sentences put before it, or a trim phrase. */
function nameMayStart(intent: IntentSpec, slot: string, words: readonly string[], from: number): boolean {
    const before = wordsBefore(words, from);
    const places = slotPlaces(intent, slot);
    return places.some((place) => before.some((w) => place.before.has(w))) || (trimLed(intent, slot, words, from - before.length + 1) && places.some((place) => leadsLikeTrim(intent, slot, place)));
}

/**
 * Whether a name between `before` (the words before it, nearest first) and `after` stands where the sentences put a
 * word that leads into the slot as its trim list does, with that word left out, and is followed as such a name is:
 * "weather boston" and "forecast paris tomorrow" for "weather in {location} [on {when}]".
 */
function leadLeftOut(intent: IntentSpec, slot: string, before: readonly string[], after: string): boolean {
    return slotPlaces(intent, slot).some((place) => leadsLikeTrim(intent, slot, place) && place.after.has(after) &&
        [...place.before].some((lead) => isTrimPhrase(intent, slot, lead) && wordPlaces(intent, lead).some((at) => before.some((w) => w !== SENTENCE_START && at.before.has(w)))));
}

/** Whether the sentences put the slot after a word of its trim list ("in {location}") in this place. */
function leadsLikeTrim(intent: IntentSpec, slot: string, place: SlotPlace): boolean {
    return [...place.before].some((w) => !w.startsWith("{") && isTrimPhrase(intent, slot, w));
}

/** Words that say how much of something, never which: a name made of nothing else names nothing. */
const MEASURES = new Set([
    "degree", "degrees", "celsius", "fahrenheit", "percent", "per", "cent", "second", "seconds", "minute", "minutes", "hour", "hours",
    "day", "days", "week", "weeks", "inch", "inches", "foot", "feet", "mile", "miles", "meter", "meters", "metre", "metres",
    "pound", "pounds", "ounce", "ounces", "notch", "notches", "bit", "lot", "half", "quarter"
]);

/** A wildcard value made only of numbers, measures and function words (the weather for "degrees"), or null. */
function measureAsName(recognition: Recognition, intent: IntentSpec): string | null {
    for (const [slot, value] of Object.entries(recognition.args)) {
        if (intent.slots[slot]?.kind !== "wildcard" || typeof value !== "string") continue;
        const words = tokenize(value).map((t) => t.text);
        if (words.length && words.every((w) => MEASURES.has(w) || /^\d+$/.test(w) || isFunctionWord(w)) && words.some((w) => MEASURES.has(w))) {
            return `${slot} "${value}" is a measure, not a name`;
        }
    }
    return null;
}

/** Words that may stand between a name and what leads into it ("in the bahamas"). */
const ARTICLES = new Set(["the", "a", "an"]);

/**
 * A model's name that stands where none of the intent's sentences put one, or null: a model copies words of the
 * sentence into a wildcard argument wherever they are ("how high is the tide at noon" → the weather for "tide",
 * "how old will i be" → for "old"), while the intent's sentences say how a name is led into and what follows it.
 * A name led into by a phrase of its slot's trim list ("in", "of", "close by"; over "the", "a", "an"), where the
 * sentences put names after such words, stands where names stand. Any other name must have, in one place the
 * sentences put it, the word before it and the word after it: "{location} weather" takes "boston weather", not
 * "is the tide at noon". A date the sentence says and the other arguments' values stand for their slots; trim phrases
 * that end the sentence ("please") for its end. A name not found in the sentence is left to the other checks.
 */
function misplacedName(recognition: Recognition, intent: IntentSpec, text: string): string | null {
    if (recognition.source === "template") return null;
    const words = tokenize(text).map((t) => t.text);
    const marks: Array<string | null> = words.map(() => null);
    const spans = new Map<string, [number, number]>();
    const mark = (value: string, as: string): [number, number] | null => {
        const run = tokenize(value).map((t) => t.text);
        const at = markRun(marks, words, run, as);
        return at < 0 ? null : [at, at + run.length];
    };
    const date = intent.dates?.length ? findWhen(text, new Date()) : null;
    if (date) mark(date.text, `{${intent.dates![0]}}`);
    for (const [slot, value] of Object.entries(recognition.args)) {
        if (typeof value !== "string" && typeof value !== "number") continue;
        const at = mark(String(value), `{${slot}}`);
        if (at && intent.slots[slot]?.kind === "wildcard" && typeof value === "string") spans.set(slot, at);
    }
    const word = (i: number): string => (i < 0 ? SENTENCE_START : i >= words.length ? SENTENCE_END : marks[i] ?? words[i]!);
    for (const [slot, [from, to]] of spans) {
        const places = slotPlaces(intent, slot);
        if (places.length === 0) continue;
        const before = wordsBefore(words, from).map((w, k) => (k + 1 <= from ? marks[from - k - 1] ?? w : w));
        // A phrase of the trim list just before the name ("in", "of", "close by") leads into it as the sentences' own
        // prepositions do, wherever they put names after one; whatever follows such a name may be more of the request.
        if (trimLed(intent, slot, words, from - before.length + 1) && places.some((place) => leadsLikeTrim(intent, slot, place))) continue;
        // Trim phrases after it that end the sentence ("please", "and nearby") stand for the end.
        const end = to < words.length && marks.slice(to).every((m) => m == null) && isTrimPhrase(intent, slot, words.slice(to).join(" ")) ? words.length : to;
        const after = word(end);
        // Next to another name the model left out, any word may follow.
        const nextToName = (place: SlotPlace): boolean => marks[end] == null && [...place.after].some((w) => w.startsWith("{") && intent.slots[w.slice(1, -1)]?.kind === "wildcard");
        const fits = (place: SlotPlace): boolean => before.some((w) => place.before.has(w)) && (place.after.has(after) || nextToName(place));
        if (!places.some(fits) && !leadLeftOut(intent, slot, before, after)) {
            return `${slot} "${recognition.args[slot]}" stands where no sentence of ${intent.name} puts one ("${before.at(-1)} … ${after}"): the ${recognition.source} engine's answer reads a name into other words`;
        }
    }
    return null;
}
