/** Mulberry32: a small seeded generator of numbers in [0, 1). */
export declare function seededRandom(seed: number): () => number;
