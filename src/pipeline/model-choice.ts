import fs from "node:fs";
import { setConfigValues } from "../config/edit.ts";
import type { HarkConfig } from "../config/schema.ts";
import { HarkError } from "../errors.ts";
import { BUILTIN_PROFILES, HARK_INTENT_MODEL, howToGetModel, resolveProfile } from "../llm/profile.ts";
import type { ModelStore } from "../models/store.ts";
import { modelStore } from "./llm-setup.ts";

/** One model hark knows: its own intent model, or one of the catalog's. */
export interface ModelRow {
    name: string;
    role: string;
    bytes: number | null;
    /** "shipped", "downloaded", "partial 12 MB", "-" (not downloaded) ... */
    state: string;
    suits: string;
    path: string;
    inUse: boolean;
}

/** The models, the config's LLM profiles, and the profile in use (null: the LLM is off). */
export interface ModelChoice {
    modelsDir: string;
    models: ModelRow[];
    profiles: Array<{ name: string; model: string; inUse: boolean }>;
    profile: string | null;
}

/** What `hark models list` and the web page's Models page show. */
export function modelChoice(config: HarkConfig): ModelChoice {
    const store = modelStore(config);
    const active = activeLlmFile(config, store);
    const shipped = fs.statSync(HARK_INTENT_MODEL, { throwIfNoEntry: false });
    const models: ModelRow[] = [
        {
            name: "hark-intent", role: "llm", bytes: shipped?.size ?? null, state: shipped ? "shipped" : "missing (reinstall hark)",
            suits: "every Pi: hark's own 2 M-parameter intent model", path: HARK_INTENT_MODEL, inUse: active === HARK_INTENT_MODEL
        },
        ...store.list().map((m) => ({
            name: m.model.name, role: m.model.role, bytes: m.model.bytes ?? null,
            state: m.installed ? "downloaded" : m.partialBytes ? `partial ${megabytes(m.partialBytes)}` : "-",
            suits: m.model.suits, path: m.file, inUse: m.file === active || config.stt.whisperModel === m.file
        }))
    ];
    const profiles = Object.entries(config.llm.profiles).map(([name, p]) => ({ name, model: p.model, inUse: config.llm.enabled && config.llm.profile === name }));
    return { modelsDir: store.dir, models, profiles, profile: config.llm.enabled ? config.llm.profile : null };
}

/**
 * Switches to a model, writing `configFile`: an LLM (or a profile) becomes llm.profile, a Whisper model
 * stt.whisperModel. A model that is not on disk changes nothing and says how to get it.
 */
export function useModel(config: HarkConfig, configFile: string, name: string): void {
    const store = modelStore(config);
    if (config.llm.profiles[name] || BUILTIN_PROFILES[name]) {
        const profile = resolveProfile({ ...config.llm, profile: name }, store);
        if (!fs.existsSync(profile.modelFile)) throw new HarkError("HARK_MODEL_MISSING", `profile ${name} uses ${profile.modelFile}, which is not there; ${howToGetModel(profile)} (nothing was changed)`);
        setConfigValues(configFile, [[["llm", "profile"], name], [["llm", "enabled"], true]]);
        return;
    }
    const { model, installed, file: modelFile } = store.get(name);
    if (!installed) throw new HarkError("HARK_MODEL_MISSING", `${name} is not downloaded; run "hark models pull ${name}" first (nothing was changed)`);
    if (model.role === "llm") setConfigValues(configFile, [[["llm", "profile"], name], [["llm", "enabled"], true]]);
    else setConfigValues(configFile, [[["stt", "whisperModel"], modelFile], [["stt", "engine"], "whisper"]]);
}

/** Whether a model file is the one the LLM profile or the Whisper engine uses. */
export function modelInUse(config: HarkConfig, file: string): boolean {
    return activeLlmFile(config, modelStore(config)) === file || config.stt.whisperModel === file;
}

/** The model file of the LLM profile in use, or null when the LLM is off or the profile does not resolve. */
function activeLlmFile(config: HarkConfig, store: ModelStore): string | null {
    if (!config.llm.enabled) return null;
    try {
        return resolveProfile(config.llm, store).modelFile;
    } catch {
        return null;
    }
}

export function megabytes(bytes: number): string {
    return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}
