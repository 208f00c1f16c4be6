// The template language: hassil-style sentence templates, the normalisation input and templates share, spoken
// numbers, matching, sampling and the JSGF grammar for speech. A leaf: it imports nothing else of hark's.
export { TemplateSyntaxError, type SentenceGroup, type SlotList, type TemplateIntent } from "./types.ts";
export { contractedForms, normalizedText, rawText, tokenize, trimFillers, type Token } from "./normalize.ts";
export { isNumberWord, numberToWords, parseNumberWords } from "./numbers.ts";
export { collectRules, collectSlots, collectWords, intentWords, parseTemplate, type Sequence, type TemplateNode } from "./parse.ts";
export { isFunctionWord, namesNothing, TemplateMatcher, type CompiledTemplate, type MatchOptions, type TemplateMatch } from "./match.ts";
export { SENTENCE_END, SENTENCE_START, slotPlaces, wordPlaces, type SlotPlace } from "./context.ts";
export { WildcardTrimmer } from "./trim.ts";
export { TemplateSampler, type SampledSentence, type SlotVocabulary } from "./sample.ts";
export { compileGrammar, type CompiledGrammar, type GrammarOptions, type GrammarProblem } from "./jsgf.ts";
