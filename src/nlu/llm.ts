import type { ValidateFunction } from "ajv";
import { LlamaGrammarEvaluationState, resolveChatWrapper, type ChatWrapper, type LlamaContextSequence, type LlamaGrammar, type Token } from "node-llama-cpp";
import type { Logger } from "pino";
import { LlmConfigError } from "../errors.ts";
import { NONE_TOOL, type IntentSpec } from "../intents/types.ts";
import { compileArgsSchema, describeAjvErrors } from "../intents/validate-args.ts";
import { spokenRule, toolCallGrammar } from "../llm/grammar.ts";
import { jsonObjectEnd, parseToolCall, systemPrompt, trimTextValues } from "../llm/prompt.ts";
import type { LoadedLlm } from "../llm/runtime.ts";
import { completeNames } from "../resolve/spans.ts";
import { round2 } from "../trace/trace.ts";
import { normalizedText } from "../template/index.ts";
import type { Recognition, Recognizer } from "./recognizer.ts";

/** The longest value (in words) hark's own model may copy from a sentence into a wildcard slot. */
const MAX_VALUE_WORDS = 12;

/** Options for {@link LlmRecognizer}. */
export interface LlmRecognizerOptions {
    llm: LoadedLlm;
    examplesPerIntent: number;
    maxArgumentLength: number;
    log: Logger;
    /** Keep the evaluated prompt between turns (default). Off only to measure what the reuse saves. */
    reusePrefix?: boolean;
}

/** What one LLM turn cost, for the trace and the benchmark. */
export interface LlmTurnDetail extends Record<string, unknown> {
    profile: string;
    model: string;
    /** Tokens in the whole prompt (fixed prefix + this sentence). */
    promptTokens: number;
    /** Prompt tokens already in the context from earlier turns, not evaluated again. */
    reusedTokens: number;
    /** Tokens llama.cpp evaluated this turn (node-llama-cpp's token meter): new prompt tokens and generated ones fed back. */
    evaluatedTokens: number;
    generatedTokens: number;
    /** The part of the prompt after the shared prefix (this sentence in the model's chat format). */
    promptTail: string;
    /** The model's raw answer. */
    output: string;
    promptMs: number;
    generateMs: number;
}

/**
 * Turns free-form text into a tool call with a language model. The prompt lists every intent (name, description,
 * arguments, examples) and is evaluated once: each turn evaluates only its own tokens. The answer is constrained by a
 * JSON-schema grammar (any intent's call, or `none`) and validated against the intent's argument schema.
 */
export class LlmRecognizer implements Recognizer {
    public readonly name = "llm";
    private readonly sequence: LlamaContextSequence;
    private readonly chatWrapper: ChatWrapper;
    private system = "";
    private grammar: LlamaGrammar | null = null;
    /** hark's own model: the grammar without its per-sentence {@link spokenRule} (the words a value may be made of). */
    private spokenGrammar: string | null = null;
    private validators = new Map<string, ValidateFunction>();
    private intents = new Map<string, IntentSpec>();
    private prefixTokens = 0;
    private queue: Promise<unknown> = Promise.resolve();

    public constructor(private readonly options: LlmRecognizerOptions) {
        this.sequence = options.llm.context.getSequence();
        this.chatWrapper = resolveChatWrapper(options.llm.model);
    }

    /** The loaded model's profile name (for log lines and the trace). */
    public get profile(): string {
        return this.options.llm.profile.name;
    }

    /** The confidence the model's training chose for acting on its answers, or null when it does not say. */
    public get suggestedMinConfidence(): number | null {
        return this.options.llm.minConfidence;
    }

    /** How many prompt tokens every turn shares (the system prompt with the tools), evaluated once per intent set. */
    public get prefixLength(): number {
        return this.prefixTokens;
    }

    public setIntents(intents: readonly IntentSpec[]): Promise<void> {
        return this.exclusive(async () => {
            const { llm, examplesPerIntent, maxArgumentLength } = this.options;
            // hark's own model learned its intents in training: it gets no tool list (the grammar still limits its answer).
            this.system = llm.format.kind === "chat" ? systemPrompt(intents, examplesPerIntent) : "";
            // Its wildcard values are words of the sentence and its list values the list's (as in training): the grammar holds it to them.
            const spoken = llm.format.kind === "hark-call";
            const grammar = toolCallGrammar(intents, maxArgumentLength, { spokenValues: spoken });
            this.spokenGrammar = spoken ? grammar : null;
            // (compiled now with a stand-in sentence too, so a grammar llama.cpp refuses is reported when intents load)
            const compiled = await llm.model.llama.createGrammar({ grammar: spoken ? `${grammar}\n${spokenRule(["a"], 1, maxArgumentLength)}` : grammar });
            this.grammar = spoken ? null : compiled;
            this.validators = new Map(intents.map((i) => [i.name, compileArgsSchema(i.args)]));
            this.intents = new Map(intents.map((i) => [i.name, i]));
            // The fixed prefix is what two different sentences' prompts share; evaluate it now so the first turn is fast.
            const a = this.render("a");
            const b = this.render("b");
            let shared = 0;
            while (shared < a.length && a[shared] === b[shared]) shared++;
            this.prefixTokens = shared;
            this.checkFits(a.length);
            await this.alignTo(a.slice(0, shared));
            if (this.sequence.nextTokenIndex < shared) await this.sequence.evaluateWithoutGeneratingNewTokens(a.slice(this.sequence.nextTokenIndex, shared));
            this.options.log.info({ profile: this.profile, intents: intents.length, prefixTokens: shared }, "LLM prompt ready");
        });
    }

    public recognize(text: string, signal?: AbortSignal): Promise<Recognition | null> {
        return this.exclusive(() => this.run(text, signal));
    }

    /**
     * The model's answer for `text` and the other intents it weighed, likeliest first: at each token of the intent's
     * name the tokens it did not choose, each with the intents whose names it begins (several when they share it).
     */
    public async topAnswers(text: string, count = 5): Promise<Array<{ intents: string[]; probability: number }>> {
        const result = await this.exclusive(() => this.run(text, undefined, true));
        return ((result?.detail?.alternatives ?? []) as Array<{ intents: string[]; probability: number }>).slice(0, count);
    }

    public async dispose(): Promise<void> {
        await this.queue.catch(() => undefined);
        await this.options.llm.dispose();
    }

    private async run(text: string, signal?: AbortSignal, alternatives = false): Promise<Recognition | null> {
        const { llm, maxArgumentLength } = this.options;
        const params = llm.profile.params;
        const started = performance.now();
        const words = normalizedText(text).split(" ").filter(Boolean);
        if (this.spokenGrammar != null && words.length === 0) return null;
        const grammar = this.spokenGrammar != null
            ? await llm.model.llama.createGrammar({ grammar: `${this.spokenGrammar}\n${spokenRule(words, MAX_VALUE_WORDS, maxArgumentLength)}` })
            : this.grammar;
        if (grammar == null) throw new Error("the LLM recognizer has no intents yet");
        const tokens = this.render(text);
        this.checkFits(tokens.length);
        if (this.options.reusePrefix === false) await this.sequence.clearHistory();
        const reused = await this.alignTo(tokens);
        const meter = this.sequence.tokenMeter.getState();
        const grammarState = new LlamaGrammarEvaluationState({ model: llm.model, grammar });
        let output = "";
        let generated = 0;
        let firstTokenAt = 0;
        const pieces: NamePiece[] = [];
        const answer: Token[] = [];
        const stream = this.sequence.evaluateWithMetadata(tokens.slice(reused), { confidence: true, probabilities: alternatives }, {
            temperature: params.temperature, topK: params.topK, topP: params.topP, minP: params.minP, seed: params.seed,
            ...(params.repeatPenalty > 1 ? { repeatPenalty: { penalty: params.repeatPenalty, punishTokens: () => answer } } : {}),
            grammarEvaluationState: grammarState
        });
        for await (const item of stream) {
            const { token, confidence } = item;
            if (generated === 0) firstTokenAt = performance.now();
            generated++;
            answer.push(token);
            const start = output.length;
            output += llm.model.detokenize([token]);
            const others = (item as { probabilities?: Map<Token, number> }).probabilities;
            pieces.push({
                start, end: output.length, confidence,
                ...(others ? { others: [...others].filter(([t, p]) => t !== token && p > 0).slice(0, 8).map(([t, p]) => ({ text: llm.model.detokenize([t]), probability: p })) } : {})
            });
            if (jsonObjectEnd(output) >= 0 || generated >= params.maxTokens || signal?.aborted) break;
        }
        signal?.throwIfAborted();
        const used = this.sequence.tokenMeter.diff(meter);
        const detail: LlmTurnDetail = {
            profile: llm.profile.name, model: llm.profile.model,
            promptTokens: tokens.length, reusedTokens: reused, promptTail: llm.model.detokenize(tokens.slice(this.prefixTokens)), evaluatedTokens: used.usedInputTokens, generatedTokens: generated,
            output, promptMs: round2(firstTokenAt - started), generateMs: round2(performance.now() - firstTokenAt)
        };
        this.options.log.debug(detail, "LLM answer");
        const end = jsonObjectEnd(output);
        if (end < 0) throw new Error(`the model's answer was cut off at maxTokens (${params.maxTokens}): ${output}`);
        const call = parseToolCall(output.slice(0, end));
        if (llm.format.kind === "hark-call") call.args = trimTextValues(call.args);
        const confidence = nameConfidence(output, pieces);
        if (alternatives) detail.alternatives = nameAlternatives(output, pieces, [...this.validators.keys(), NONE_TOOL]);
        if (call.name === NONE_TOOL) return { intent: NONE_TOOL, args: {}, confidence, source: this.name, detail };
        const validate = this.validators.get(call.name);
        if (validate == null) throw new Error(`the model named an unknown tool "${call.name}"`);
        if (!validate(call.args)) throw new Error(`the model's arguments for ${call.name} are invalid (${describeAjvErrors(validate.errors)}): ${output}`);
        // hark's own model copies names out of the sentence and often stops short of a long one.
        if (llm.format.kind === "hark-call") {
            const whole = completeNames(this.intents.get(call.name)!, call.args, text, new Date());
            if (whole !== call.args) {
                detail.namesCompleted = { from: call.args, to: whole };
                call.args = whole;
            }
        }
        return { intent: call.name, args: call.args, confidence, source: this.name, detail };
    }

    /** The whole prompt for one sentence in the model's prompt format, as tokens. */
    private render(text: string): Token[] {
        const { model, format } = this.options.llm;
        // A leading space: every word is a "▁word" token, as in the answer's padded values (see train/data.ts modelOutput).
        if (format.kind === "hark-call") return [model.tokens.bos!, ...model.tokenize(` ${normalizedText(text)}`), format.separatorToken as Token];
        const { contextText } = this.chatWrapper.generateContextState({
            chatHistory: [{ type: "system", text: this.system }, { type: "user", text }, { type: "model", response: [] }]
        });
        return contextText.tokenize(this.options.llm.model.tokenizer);
    }

    /** Drops context tokens after the longest prefix shared with `tokens` (keeping at least one to evaluate); returns the prefix length. */
    private async alignTo(tokens: Token[]): Promise<number> {
        const keep = Math.min(this.sequence.compareContextTokens(tokens).firstDifferentIndex, Math.max(0, tokens.length - 1));
        if (keep < this.sequence.nextTokenIndex) await this.sequence.eraseContextTokenRanges([{ start: keep, end: this.sequence.nextTokenIndex }]);
        return keep;
    }

    private checkFits(promptTokens: number): void {
        const { params, name } = this.options.llm.profile;
        if (promptTokens + params.maxTokens > this.sequence.contextSize) {
            throw new LlmConfigError(`profile "${name}": the prompt needs ${promptTokens} tokens plus maxTokens ${params.maxTokens}, more than contextSize ${this.sequence.contextSize}; raise contextSize or lower llm.examplesPerIntent`);
        }
    }

    /** One model call at a time: turns and intent reloads share one context sequence. */
    private exclusive<T>(work: () => Promise<T>): Promise<T> {
        const next = this.queue.then(work, work);
        this.queue = next.catch(() => undefined);
        return next;
    }
}

/** One generated token: where its text lies in the answer, its probability, and the likeliest tokens not chosen. */
interface NamePiece {
    start: number;
    end: number;
    confidence: number;
    others?: Array<{ text: string; probability: number }>;
}

/** Where the tool's name lies in the answer: `{"name": "get_time"` → the span of get_time. */
function nameSpan(output: string): { start: number; end: number } | null {
    const match = /"name"\s*:\s*"/.exec(output);
    if (match == null) return null;
    const start = match.index + match[0].length;
    return { start, end: output.indexOf('"', start) };
}

/**
 * How sure the model was of the tool it chose: the product of the probabilities of the tokens that spell the tool's
 * name (after the grammar: once the name is settled its remaining tokens are certain).
 */
function nameConfidence(output: string, pieces: readonly NamePiece[]): number {
    const span = nameSpan(output);
    if (span == null) return 0;
    return pieces.filter((p) => p.end > span.start && p.start < span.end).reduce((p, piece) => p * piece.confidence, 1);
}

/**
 * The chosen name and, at each of its tokens, the names the other likely tokens would have begun, with the
 * probability of reaching that token times the token's: likeliest first.
 */
function nameAlternatives(output: string, pieces: readonly NamePiece[], names: readonly string[]): Array<{ intents: string[]; probability: number }> {
    const span = nameSpan(output);
    if (span == null) return [];
    const found: Array<{ intents: string[]; probability: number }> = [];
    let reach = 1;
    for (const piece of pieces.filter((p) => p.end > span.start && p.start < span.end)) {
        for (const other of piece.others ?? []) {
            const written = (output.slice(0, piece.start) + other.text).slice(span.start);
            const quote = written.indexOf('"');
            const prefix = quote >= 0 ? written.slice(0, quote) : written;
            const intents = names.filter((n) => (quote >= 0 ? n === prefix : n.startsWith(prefix)));
            if (intents.length) found.push({ intents, probability: Math.round(reach * other.probability * 1e6) / 1e6 });
        }
        reach *= piece.confidence;
    }
    found.push({ intents: [output.slice(span.start, span.end)], probability: Math.round(reach * 1e6) / 1e6 });
    return found.sort((a, b) => b.probability - a.probability);
}
