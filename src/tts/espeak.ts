import { runProgram } from "../util/program.ts";
import type { Speaker } from "./speaker.ts";

/** Options for {@link EspeakSpeaker}. */
export interface EspeakOptions {
    /** espeak-ng voice. Defaults to `"en-us"`. */
    voice?: string;
    /** Words per minute. Defaults to 165. */
    speedWpm?: number;
}

/** espeak-ng: small, always available on Debian and Raspberry Pi OS. */
export class EspeakSpeaker implements Speaker {
    public readonly name = "espeak-ng";

    public constructor(private readonly options: EspeakOptions = {}) {}

    public async synthesize(text: string, outFile: string, signal?: AbortSignal): Promise<void> {
        // Text goes through stdin, never argv or a shell, so quotes and leading dashes are spoken, not parsed.
        await runProgram(
            ["espeak-ng", "-v", this.options.voice ?? "en-us", "-s", String(this.options.speedWpm ?? 165), "-w", outFile, "--stdin"],
            { input: text, signal, timeoutMs: 30_000 }
        );
    }
}
