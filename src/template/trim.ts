import { isFunctionWord, TemplateMatcher } from "./match.ts";
import { rawText, type Token } from "./normalize.ts";
import type { SlotList } from "./types.ts";

/** Number slots a trim template may use besides the intent's rules: `{year}` (1900–2099) and `{number}` (0–1000). */
const TRIM_SLOTS: Record<string, SlotList> = {
    year: { kind: "range", from: 1900, to: 2099 },
    number: { kind: "range", from: 0, to: 1000 }
};

/**
 * Takes the phrases a wildcard slot declares as no part of a name (its `trim` templates: a service, a decade, "near",
 * "please") off either end of a value, again and again: "blowfly from the seventies" → "blowfly", "around putnam
 * lake" → "putnam lake". A value that is nothing but such phrases is no name at all.
 */
export class WildcardTrimmer {
    private readonly matcher: TemplateMatcher;

    /** `templates`: the trim phrases, in template syntax; `rules`: the intent's rules they may use. */
    public constructor(templates: readonly string[], rules: Record<string, string>) {
        this.matcher = new TemplateMatcher([{ name: "trim", sentences: [{ sentences: [...templates], args: {} }], slots: TRIM_SLOTS, rules, textOnlyRules: [], examples: [] }]);
    }

    /** The value without its trim phrases, as spoken words; "" when nothing of a name is left. */
    public trim(tokens: readonly Token[]): string {
        let words = [...tokens];
        for (let changed = true; changed && words.length > 0;) {
            changed = false;
            if (this.fits(words)) return "";
            // The longest phrase first, at the end, then at the start; never leaving only words that make no name
            // ("at last": "last" is a ranking, but "at" is no song).
            const named = (kept: readonly Token[]): boolean => kept.some((t) => !isFunctionWord(t.text));
            for (let k = 1; k < words.length; k++) {
                if (named(words.slice(0, k)) && this.fits(words.slice(k))) {
                    words = words.slice(0, k);
                    changed = true;
                    break;
                }
            }
            for (let k = words.length - 1; k > 0; k--) {
                if (named(words.slice(k)) && this.fits(words.slice(0, k))) {
                    words = words.slice(k);
                    changed = true;
                    break;
                }
            }
        }
        return rawText(words);
    }

    private fits(words: readonly Token[]): boolean {
        return this.matcher.match(words).length > 0;
    }
}
