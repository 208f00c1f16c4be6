/** A benchmark's config section from a JSON environment variable (`HARK_BENCH_VAD='{"keepSilenceMs":700}'`); unset: none. */
export function settingsFromEnv(name: string): Record<string, unknown> {
    const value = process.env[name];
    return value ? JSON.parse(value) as Record<string, unknown> : {};
}
