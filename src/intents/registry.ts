import type { FSWatcher } from "chokidar";
import type { Logger } from "pino";
import type { LoadedIntent } from "./compile.ts";
import { isIntentFile, loadIntentDirs, type IntentSet } from "./load.ts";

/** Options for {@link IntentRegistry.create}. */
export interface IntentRegistryOptions {
    dirs: readonly string[];
    log: Logger;
    /** Reload when files in the folders change. Defaults to `false`. */
    watch?: boolean;
    /** Quiet period after the last change before reloading. Defaults to 150 ms. */
    debounceMs?: number;
}

/** What a reload changed, by intent name. */
export interface IntentChange {
    added: string[];
    removed: string[];
    /** Intents whose file was touched and still load. */
    updated: string[];
}

type Listener = (set: IntentSet, change: IntentChange) => void | Promise<void>;

/** The loaded intents, kept current while hark runs: dropping, editing or deleting a file takes effect at once. */
export class IntentRegistry {
    private set: IntentSet = { intents: [], problems: [] };
    private watcher: FSWatcher | null = null;
    private readonly listeners: Listener[] = [];
    private timer: NodeJS.Timeout | null = null;
    private touched = new Set<string>();
    private reloading: Promise<void> = Promise.resolve();

    private constructor(private readonly options: IntentRegistryOptions) {}

    public static async create(options: IntentRegistryOptions): Promise<IntentRegistry> {
        const registry = new IntentRegistry(options);
        registry.set = await loadIntentDirs(options.dirs);
        registry.report();
        if (options.watch) await registry.startWatching();
        return registry;
    }

    public get intents(): readonly LoadedIntent[] {
        return this.set.intents;
    }

    public get problems(): IntentSet["problems"] {
        return this.set.problems;
    }

    public get(name: string): LoadedIntent | undefined {
        return this.set.intents.find((i) => i.spec.name === name);
    }

    /** Called after every reload. */
    public onChange(listener: Listener): void {
        this.listeners.push(listener);
    }

    /** Reloads every folder now; resolves when listeners have run. */
    public reload(): Promise<void> {
        this.reloading = this.reloading.then(() => this.doReload());
        return this.reloading;
    }

    public async dispose(): Promise<void> {
        if (this.timer) clearTimeout(this.timer);
        await this.watcher?.close();
        this.watcher = null;
        await this.reloading;
    }

    public async [Symbol.asyncDispose](): Promise<void> {
        await this.dispose();
    }

    private async startWatching(): Promise<void> {
        const { watch } = await import("chokidar");
        this.watcher = watch([...this.options.dirs], { ignoreInitial: true, depth: 0, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 } });
        this.watcher.on("all", (_event, file) => {
            if (!isIntentFile(file)) return;
            this.touched.add(file);
            if (this.timer) clearTimeout(this.timer);
            this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 150);
        });
        await new Promise<void>((resolve) => this.watcher!.once("ready", () => resolve()));
    }

    private async doReload(): Promise<void> {
        const before = new Map(this.set.intents.map((i) => [i.spec.name, i.file]));
        const touched = this.touched;
        this.touched = new Set();
        this.set = await loadIntentDirs(this.options.dirs);
        const after = new Map(this.set.intents.map((i) => [i.spec.name, i.file]));
        const change: IntentChange = {
            added: [...after.keys()].filter((n) => !before.has(n)),
            removed: [...before.keys()].filter((n) => !after.has(n)),
            updated: [...after].filter(([n, f]) => before.has(n) && touched.has(f)).map(([n]) => n)
        };
        this.options.log.info({ ...change, files: [...touched], loaded: after.size, problems: this.set.problems.length }, "intents reloaded");
        this.report();
        for (const listener of this.listeners) await listener(this.set, change);
    }

    private report(): void {
        for (const problem of this.set.problems) this.options.log.error({ file: problem.file, code: problem.code }, problem.message);
        for (const warning of this.set.intents.flatMap((i) => i.warnings ?? [])) this.options.log.warn(warning);
        for (const r of this.set.replaced ?? []) this.options.log.info({ file: r.by, builtin: r.builtin }, `intent ${r.name} of ${r.by} replaces the built-in one`);
    }
}
