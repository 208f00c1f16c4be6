/** A reproducible random number source (xorshift32) giving values in -1..1. Small and fast; not for secrets. */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0 || 1;
    return () => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return ((state >>> 0) / 0xffffffff) * 2 - 1;
    };
}
