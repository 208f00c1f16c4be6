const UNITS: Record<string, number> = {
    zero: 0, oh: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
    eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19
};
const TENS: Record<string, number> = {
    twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90
};
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000 };

/** True when the word can be part of a spelled-out number. ("oh" only counts inside a number, see {@link parseNumberWords}.) */
export function isNumberWord(word: string): boolean {
    return word in UNITS || word in TENS || word in SCALES || /^\d+$/.test(word);
}

/**
 * Reads the longest spelled-out number at `words[start]`: "one hundred thirty five" → 135, "twenty five" → 25,
 * "1 hundred" → 100. Returns the value and how many words it used, or `null` when no number starts there.
 * "and" is accepted between parts ("one hundred and five"), never at the edges.
 */
export function parseNumberWords(words: readonly string[], start: number): { value: number; length: number } | null {
    let total = 0;
    let current = 0;
    let used = 0;
    let lastKind: "none" | "unit" | "tens" | "scale" | "digits" = "none";
    let i = start;
    for (; i < words.length; i++) {
        const w = words[i]!;
        if (w === "and" && used > 0 && lastKind === "scale" && i + 1 < words.length && isNumberWord(words[i + 1]!)) continue;
        if (w === "oh" && used === 0) break;
        if (/^\d+$/.test(w) && lastKind === "none") {
            current = Number(w);
            lastKind = "digits";
        } else if (w in UNITS && (lastKind === "none" || lastKind === "tens" || lastKind === "scale")) {
            if (lastKind === "tens" && UNITS[w]! >= 10) break;
            current += UNITS[w]!;
            lastKind = "unit";
        } else if (w in TENS && (lastKind === "none" || lastKind === "scale")) {
            current += TENS[w]!;
            lastKind = "tens";
        } else if (w in SCALES && lastKind !== "none" && lastKind !== "scale") {
            const scale = SCALES[w]!;
            if (scale === 100) {
                current *= 100;
            } else {
                total += current * scale;
                current = 0;
            }
            lastKind = "scale";
        } else {
            break;
        }
        used = i - start + 1;
    }
    if (used === 0) return null;
    return { value: total + current, length: used };
}

const UNIT_WORDS = Object.keys(UNITS).filter((w) => w !== "oh");
const TENS_WORDS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/** 25 → "twenty five", 130 → "one hundred thirty", 2017 → "two thousand seventeen" (0..999 999). */
export function numberToWords(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n > 999_999) throw new RangeError(`numberToWords supports 0..999999, got ${n}`);
    if (n < 20) return UNIT_WORDS[n]!;
    if (n < 100) return [TENS_WORDS[Math.floor(n / 10)]!, n % 10 ? UNIT_WORDS[n % 10]! : ""].filter(Boolean).join(" ");
    if (n < 1000) return [`${UNIT_WORDS[Math.floor(n / 100)]!} hundred`, n % 100 ? numberToWords(n % 100) : ""].filter(Boolean).join(" ");
    return [`${numberToWords(Math.floor(n / 1000))} thousand`, n % 1000 ? numberToWords(n % 1000) : ""].filter(Boolean).join(" ");
}
