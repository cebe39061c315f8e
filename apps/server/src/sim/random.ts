/**
 * A small seeded random source: the simulated model must give the same answer for the same
 * seed, on every machine, so `Math.random` is never used for content or timing.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  chance(probability: number): boolean
  /** An independent source at this one's position: it draws what this one would draw next. */
  fork(): Random
}

/**
 * mulberry32: 32 bits of state, full period, good enough spread for text and timing choices.
 *
 * @example
 * const random = createRandom(42)
 * random.pick(['a', 'b']) // same choice every run
 */
export function createRandom(seed: number): Random {
  return fromState(seed >>> 0)
}

function fromState(initial: number): Random {
  let state = initial
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
    chance: (probability) => next() < probability,
    fork: () => fromState(state),
  }
}

/** FNV-1a over the text's UTF-16 units: a stable 32-bit seed for a conversation. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** An id as providers make them: `prefix` and 24 letters and digits (`call_…`, `toolu_…`). */
export function randomId(prefix: string, random: Random): string {
  let id = prefix
  for (let i = 0; i < 24; i++) id += ID_ALPHABET[random.int(0, ID_ALPHABET.length - 1)]
  return id
}

/** `items` in a random order (Fisher–Yates), the input left as it was. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
