/**
 * Deterministic randomness for the package generator: mulberry32 (a 32-bit seeded PRNG) and ULIDs built from
 * it. Same seed, same sequence, on every machine; never Math.random or the wall clock.
 */

/** Crockford base 32, in ascending ASCII order (so ULID strings sort by their timestamp). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** `count` different items (all of them when there are fewer), in pick order. */
  pickDistinct<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const picked: T[] = [];
    while (picked.length < count && pool.length > 0) {
      const index = this.int(pool.length);
      picked.push(pool[index] as T);
      pool[index] = pool[pool.length - 1] as T;
      pool.pop();
    }
    return picked;
  }
}

/**
 * Real ULIDs (first character 0-7): a 48-bit millisecond timestamp that advances by one per id, so ids are
 * unique and ascending, followed by 80 seeded random bits.
 */
export class UlidSequence {
  private time: number;

  constructor(
    private readonly random: SeededRandom,
    startMs: number,
  ) {
    this.time = startMs;
  }

  next(): string {
    let timePart = '';
    let time = this.time;
    for (let i = 0; i < TIME_CHARS; i += 1) {
      timePart = CROCKFORD.charAt(time % 32) + timePart;
      time = Math.floor(time / 32);
    }
    this.time += 1;
    let randomPart = '';
    for (let i = 0; i < RANDOM_CHARS; i += 1) randomPart += CROCKFORD.charAt(this.random.int(32));
    return timePart + randomPart;
  }
}
