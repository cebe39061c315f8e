/**
 * Test helpers: byte streams cut at chosen places, and collecting an iterable's values and error.
 * Used by tests across the workspace; not part of the published build.
 */
import fc from 'fast-check'

const encoder = new TextEncoder()

/** The UTF-8 bytes of `text`, cut after each offset in `cuts` (byte offsets, any order). */
export function cutBytes(text: string | Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text
  const points = [...new Set(cuts.map((cut) => Math.max(0, Math.min(bytes.length, cut))))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point))
    start = Math.max(start, point)
  }
  return chunks
}

/** A ReadableStream that delivers `chunks` one per read. */
export function streamOf(chunks: readonly (Uint8Array | string)[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++]
      if (chunk === undefined) controller.close()
      else controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
    },
  })
}

/** `text` as a byte stream cut at `cuts`. */
export function cutStream(text: string, cuts: readonly number[] = []): ReadableStream<Uint8Array> {
  return streamOf(cutBytes(text, cuts))
}

/** A fast-check arbitrary of cut points for a text of `byteLength` bytes: anywhere, any number. */
export function arbitraryCuts(byteLength: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: Math.max(0, byteLength) }), { maxLength: Math.min(64, byteLength + 1) })
}

export function byteLength(text: string): number {
  return encoder.encode(text).length
}

export interface Collected<T> {
  values: T[]
  error?: unknown
}

/** Every value an async iterable yields, and the error it ends with, if any. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<Collected<T>> {
  const values: T[] = []
  try {
    for await (const value of iterable) values.push(value)
    return { values }
  } catch (error) {
    return { values, error }
  }
}

/** An async iterable of the given chunks, for sources that are not streams. */
export async function* iterableOf<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk
}
