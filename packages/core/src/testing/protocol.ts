/** Test helpers for protocol modules: fixtures, decoding under any chunking, round trips. */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { expect } from 'vitest'
import { type DecodeOptions, decode } from '../decode.js'
import type { ProtocolEncoder } from '../protocols/protocol.js'
import type { Protocol, StreamPart } from '../types.js'
import { arbitraryCuts, byteLength, type Collected, collect, cutStream } from './streams.js'

/** A wire-format fixture from `src/protocols/__fixtures__/`. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../protocols/__fixtures__/${name}`, import.meta.url), 'utf8')
}

/** Decodes `body` (optionally cut at `cuts`) and collects the parts and the error. */
export function decodeBody(
  body: string,
  protocol: Protocol,
  options: Omit<DecodeOptions, 'protocol'> = {},
  cuts: readonly number[] = [],
): Promise<Collected<StreamPart>> {
  return collect(decode(cutStream(body, cuts), { ...options, protocol }))
}

/** Asserts that every chunking of `body` decodes to what the unchunked body decodes to. */
export async function expectAnyChunkingDecodesAlike(
  body: string,
  protocol: Protocol,
  runs = 100,
  options: Omit<DecodeOptions, 'protocol'> = {},
): Promise<void> {
  const whole = await decodeBody(body, protocol, options)
  await fc.assert(
    fc.asyncProperty(arbitraryCuts(byteLength(body)), async (cuts) => {
      const cut = await decodeBody(body, protocol, options, cuts)
      expect(cut.values).toEqual(whole.values)
      expect(errorSummary(cut.error)).toEqual(errorSummary(whole.error))
    }),
    { numRuns: runs },
  )
}

/** The parts an encoder writes, as one body. */
export function encodeAll(encoder: ProtocolEncoder, parts: readonly StreamPart[]): string {
  let body = ''
  for (const part of parts) body += encoder.push(part)
  return body + encoder.end()
}

/** Asserts, for many generated part sequences, that `decode(encode(parts))` gives back the parts. */
export async function expectRoundTrips(
  makeEncoder: () => ProtocolEncoder,
  protocol: Protocol,
  arbitraryParts: fc.Arbitrary<StreamPart[]>,
  runs = 200,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitraryParts, async (parts) => {
      const { values, error } = await decodeBody(encodeAll(makeEncoder(), parts), protocol)
      expect(error).toBeUndefined()
      expect(values).toEqual(parts)
    }),
    { numRuns: runs },
  )
}

/**
 * For a body whose texts `a` and `b` have an event of invalid JSON (`{not json`) between them:
 * asserts that a strict decode keeps `a` and throws kind `parse` quoting the bad data, and that
 * a lenient one skips it, reports it once, and keeps `ab`. Returns both for further checks.
 */
export async function expectMalformedSkippedWhenLenient(body: string, protocol: Protocol) {
  const shown = (values: readonly StreamPart[]) =>
    values.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')
  const strict = await decodeBody(body, protocol)
  expect(shown(strict.values)).toBe('a')
  expect(errorSummary(strict.error)).toMatchObject({ kind: 'parse' })
  expect((strict.error as Error).message).toContain('{not json')

  const skipped: unknown[] = []
  const lenient = await decodeBody(body, protocol, { lenient: true, onMalformed: (e) => skipped.push(e) })
  expect(lenient.error).toBeUndefined()
  expect(shown(lenient.values)).toBe('ab')
  expect(skipped.map(errorSummary)).toMatchObject([{ kind: 'parse' }])
  return { strict, lenient }
}

export function errorSummary(error: unknown): unknown {
  if (error === undefined) return undefined
  const { kind, message, status, code, retryAfterMs } = error as Record<string, unknown>
  return { kind, message, status, code, retryAfterMs }
}
