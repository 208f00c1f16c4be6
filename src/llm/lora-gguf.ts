import { GgufValueType, readGgufHeader, type GgufWriteTensor, writeGguf } from "./gguf.ts";
import { seededRandom } from "../util/random.ts";

/** Options for {@link writeRandomLoraAdapter}. */
export interface RandomLoraOptions {
    /** Rank of the low-rank matrices. Defaults to 4. */
    rank?: number;
    /** LoRA alpha written to the file (llama.cpp scales by alpha / rank). Defaults to the rank. */
    alpha?: number;
    /** Largest absolute weight. Defaults to 0.5: strong enough to change a tiny model's choices. */
    amplitude?: number;
    seed?: number;
    /** Which weights get an adapter, by name suffix. Defaults to attention and feed-forward matrices. */
    targets?: readonly string[];
}

const DEFAULT_TARGETS = ["attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"];

/**
 * Writes a LoRA adapter GGUF with random weights that fits `baseModel`: for each targeted weight W of shape
 * [in, out] (ggml order), `W.lora_a` is [in, rank] and `W.lora_b` is [rank, out], as llama.cpp expects. Used to test
 * adapter loading and scaling where no trained adapter exists. Returns the number of adapted weights.
 */
export function writeRandomLoraAdapter(baseModel: string, file: string, options: RandomLoraOptions = {}): number {
    const rank = options.rank ?? 4;
    const amplitude = options.amplitude ?? 0.5;
    const random = seededRandom(options.seed ?? 1);
    const targets = options.targets ?? DEFAULT_TARGETS;
    const base = readGgufHeader(baseModel);
    const architecture = String(base.metadata.get("general.architecture") ?? "llama");
    const tensors: GgufWriteTensor[] = [];
    for (const t of base.tensors) {
        if (t.dims.length !== 2 || !targets.some((suffix) => t.name.endsWith(suffix))) continue;
        const [inputs, outputs] = t.dims as [number, number];
        const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => random() * amplitude);
        tensors.push({ name: `${t.name}.lora_a`, dims: [inputs, rank], data: fill(inputs * rank) });
        tensors.push({ name: `${t.name}.lora_b`, dims: [rank, outputs], data: fill(rank * outputs) });
    }
    writeGguf(file, [
        { key: "general.architecture", type: GgufValueType.STRING, value: architecture },
        { key: "general.type", type: GgufValueType.STRING, value: "adapter" },
        { key: "general.name", type: GgufValueType.STRING, value: "hark random LoRA" },
        { key: "adapter.type", type: GgufValueType.STRING, value: "lora" },
        { key: "adapter.lora.alpha", type: GgufValueType.FLOAT32, value: options.alpha ?? rank }
    ], tensors);
    return tensors.length / 2;
}
