/**
 * Side-by-side measurement on a noisy machine: contenders run in alternating rounds in one
 * process, each round in a different order, and the report gives medians and ratios.
 */
export interface Contender {
  name: string
  /** Runs once; returns a checksum (e.g. the text extracted) so every contender is verified. */
  run(): Promise<string> | string
}

export interface Measured {
  name: string
  medianMs: number
  /** The fastest round: noise on a shared machine only ever slows a round down. */
  minMs: number
  samples: number[]
}

/** Milliseconds from some fixed point: wall time by default. */
export type Clock = () => number

export async function compare(
  contenders: Contender[],
  rounds: number,
  warmup = 3,
  clock: Clock = () => performance.now(),
): Promise<Measured[]> {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  let expected: string | undefined
  for (let round = -warmup; round < rounds; round++) {
    // Rotate the order each round, so no contender always runs right after a GC-heavy one.
    const order = contenders.map((_, i) => contenders[(i + Math.max(0, round)) % contenders.length] as Contender)
    for (const contender of order) {
      const start = clock()
      const checksum = await contender.run()
      const elapsed = clock() - start
      expected ??= checksum
      if (checksum !== expected) {
        throw new Error(`${contender.name} extracted different output (${checksum.length} vs ${expected.length} chars)`)
      }
      if (round >= 0) samples.get(contender.name)?.push(elapsed)
    }
  }
  return contenders.map((c) => {
    const list = samples.get(c.name) ?? []
    return { name: c.name, medianMs: median(list), minMs: Math.min(...list), samples: list }
  })
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

/** A seeded PRNG (mulberry32), so every run cuts the same chunks. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Bytes cut into network-sized chunks of 1 B to `max` bytes, splitting lines and characters. */
export function chunk(bytes: Uint8Array, random: () => number, max = 4096): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let i = 0; i < bytes.length; ) {
    // Mostly large reads, with a share of tiny ones, as real connections deliver.
    const size = random() < 0.2 ? 1 + Math.floor(random() * 16) : 1 + Math.floor(random() * max)
    chunks.push(bytes.subarray(i, i + size))
    i += size
  }
  return chunks
}

export function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[i++]
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
  })
}

/** A Markdown table, its columns padded as the formatter (`biome format`) lays them out. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows].map((row) => row.map(String))
  const width = (text: string) => [...text].length
  const widths = headers.map((_, column) => Math.max(3, ...cells.map((row) => width(row[column] ?? ''))))
  const line = (row: string[]) =>
    `| ${widths.map((w, column) => (row[column] ?? '') + ' '.repeat(w - width(row[column] ?? ''))).join(' | ')} |`
  const [head, ...body] = cells
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

export const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits })
