/**
 * The synthetic sample's random numbers: mulberry32 seeded by FNV-1a of the seed, so the committed
 * sample and the tests agree on every platform. Not for anything secret (the dataset's sampling
 * uses a keyed HMAC instead).
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(seed: string | number): number {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Deterministic draws used by the scenario planner. */
class SeededRng {
  private readonly next: () => number;
  constructor(seed: string | number) {
    this.next = mulberry32(hashSeed(seed));
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  letter(): string {
    return String.fromCharCode(65 + this.int(0, 25));
  }
}

export type { SeededRng };

/** A generator whose draws depend only on `seed`. */
export function createSeededRng(seed: string | number): SeededRng {
  return new SeededRng(seed);
}
