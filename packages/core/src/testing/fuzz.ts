/**
 * Seeded fuzzing of `decode`: valid encoder output and the hand-written fixtures, mutated the
 * ways hostile or broken servers send bytes, each checked against the decoding contract.
 * Cases are numbered: case `n` of seed `s` is the same bytes on every machine.
 */
import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { decode, PROTOCOLS } from '../decode.js'
import { encode } from '../encode.js'
import { isStreamError } from '../errors.js'
import type { FinishReason, Protocol, StreamPart } from '../types.js'
import { byteLength, type Collected, collect, cutStream } from './streams.js'

export { PROTOCOLS }

export interface FuzzCase {
  protocol: Protocol
  /** Where the bytes came from and what was done to them, to read a failure by. */
  origin: string
  body: string
  /** Two ways of cutting the body into chunks (byte offsets). */
  cuts: [number[], number[]]
}

const VALID: StreamPart[][] = [
  [
    { type: 'start', messageId: 'msg_1', model: 'm' },
    { type: 'reasoning-delta', text: 'think' },
    { type: 'text-delta', text: 'Hello, ' },
    { type: 'text-delta', text: 'wörld 👋🏽\nnext' },
    { type: 'usage', inputTokens: 3, outputTokens: 4 },
    { type: 'finish', reason: 'stop' },
  ],
  [
    { type: 'start', messageId: 'msg_2', model: 'm' },
    { type: 'text-delta', text: 'Calling.' },
    { type: 'tool-call-delta', index: 0, id: 'call_a', name: 'weather', argsDelta: '{"city":' },
    { type: 'tool-call-delta', index: 0, argsDelta: '"Paris","days":[1,2]}' },
    { type: 'tool-call', index: 0, id: 'call_a', name: 'weather', args: { city: 'Paris', days: [1, 2] } },
    { type: 'tool-call', index: 1, id: 'call_b', name: 'time', args: { zone: 'CET' } },
    { type: 'usage', inputTokens: 10, outputTokens: 20 },
    { type: 'finish', reason: 'tool-calls' },
  ],
  [
    { type: 'start', messageId: 'msg_3', model: 'm' },
    { type: 'text-delta', text: 'cut short' },
    { type: 'finish', reason: 'length' },
  ],
]

const FIXTURE_DIR = new URL('../protocols/__fixtures__/', import.meta.url)

/** Every unmutated body of a protocol: its fixtures, then its encoder's output of `VALID`. */
export function seedBodies(protocol: Protocol): Array<{ origin: string; body: string }> {
  const bodies: Array<{ origin: string; body: string }> = []
  for (const name of readdirSync(FIXTURE_DIR).sort()) {
    const owner = PROTOCOLS.filter((p) => name.startsWith(`${p}-`)).sort((a, b) => b.length - a.length)[0]
    if (owner === protocol) bodies.push({ origin: name, body: readFileSync(new URL(name, FIXTURE_DIR), 'utf8') })
  }
  VALID.forEach((parts, index) => {
    const sse = protocol === 'text' ? { sse: true } : {}
    try {
      bodies.push({ origin: `encoded #${index}`, body: encode(parts, { protocol, ...sse }) })
    } catch {
      // An encoder that cannot write a part sequence leaves it out; its own tests say why.
    }
  })
  return bodies
}

const HUGE_NUMBERS = ['4294967294', '4294967295', '-1', '1.5', '1e308', '1e400', '500000000', '9007199254740993', '-0']
const PROTOTYPE_WORDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype']
const STRAY = ['{', '}', '[', ']', '"', ':', ',', '\\', '\n', '\r', '\0', 'x', '0', ' ', 'é', '\u2028']
const DEPTH = 5000
const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`
const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`

type Mutation = (body: string) => string

/** Picks the `k`-th match of `pattern` (wrapping) and replaces it through `replace`. */
function atMatch(body: string, pattern: RegExp, k: number, replace: (match: string) => string): string {
  const matches = [...body.matchAll(pattern)]
  if (matches.length === 0) return body
  const match = matches[k % matches.length] as RegExpMatchArray
  const at = match.index ?? 0
  return body.slice(0, at) + replace(match[0]) + body.slice(at + match[0].length)
}

const lines = (body: string) => body.split('\n')

// The fields hostile input aims at: finish words looked up in tables, indexes used as keys, tool
// arguments written back as JSON text.
const FINISH_WORD = /(?<="(?:finish_reason|stop_reason|finishReason|done_reason|status|type)":)"[^"]*"/g
const INDEX = /(?<="(?:index|output_index|content_index|summary_index)":)-?\d+/g
const TOOL_ARGS = /(?<="(?:arguments|input|args)":)("(?:[^"\\\n]|\\.)*"|\{[^{}\n]*\})/g

const mutation: fc.Arbitrary<[string, Mutation]> = fc.oneof(
  fc
    .tuple(fc.nat(), fc.constantFrom(...PROTOTYPE_WORDS))
    .map(([k, word]): [string, Mutation] => [
      `finish word ${k} to "${word}"`,
      (body) => atMatch(body, FINISH_WORD, k, () => `"${word}"`),
    ]),
  fc
    .tuple(fc.nat(), fc.constantFrom(...HUGE_NUMBERS))
    .map(([k, n]): [string, Mutation] => [`index ${k} to ${n}`, (body) => atMatch(body, INDEX, k, () => n)]),
  fc
    .nat()
    .map((k): [string, Mutation] => [
      `tool arguments ${k} nested ${DEPTH} deep`,
      (body) => atMatch(body, TOOL_ARGS, k, () => deepObject),
    ]),
  fc.tuple(fc.nat(), fc.constantFrom(...STRAY)).map(([at, char]): [string, Mutation] => [
    `flip @${at} to ${JSON.stringify(char)}`,
    (body) => {
      const i = at % Math.max(1, body.length)
      return body.slice(0, i) + char + body.slice(i + 1)
    },
  ]),
  fc.nat().map((at): [string, Mutation] => [`truncate @${at}`, (body) => body.slice(0, at % (body.length + 1))]),
  fc.nat().map((k): [string, Mutation] => [
    `duplicate line ${k}`,
    (body) => {
      const all = lines(body)
      const i = k % all.length
      return [...all.slice(0, i + 1), ...all.slice(i)].join('\n')
    },
  ]),
  fc.nat().map((k): [string, Mutation] => [
    `remove line ${k}`,
    (body) => {
      const all = lines(body)
      const i = k % all.length
      return [...all.slice(0, i), ...all.slice(i + 1)].join('\n')
    },
  ]),
  fc
    .tuple(fc.nat(), fc.constantFrom(...HUGE_NUMBERS))
    .map(([k, n]): [string, Mutation] => [
      `number ${k} to ${n}`,
      (body) => atMatch(body, /(?<=[:[,])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, k, () => n),
    ]),
  fc
    .tuple(fc.nat(), fc.boolean())
    .map(([k, array]): [string, Mutation] => [
      `value ${k} nested ${DEPTH} deep`,
      (body) =>
        atMatch(body, /(?<=:)("(?:[^"\\\n]|\\.)*"|\{\}|\d+|true|false|null)/g, k, () =>
          array ? deepArray : deepObject,
        ),
    ]),
  fc
    .tuple(fc.nat(), fc.constantFrom(...PROTOTYPE_WORDS))
    .map(([k, word]): [string, Mutation] => [
      `string ${k} to "${word}"`,
      (body) => atMatch(body, /(?<=:)"(?:[^"\\\n]|\\.)*"/g, k, () => `"${word}"`),
    ]),
  fc
    .tuple(fc.nat(), fc.constantFrom(...PROTOTYPE_WORDS))
    .map(([k, word]): [string, Mutation] => [
      `key ${k} to "${word}"`,
      (body) => atMatch(body, /"[a-z_]+"(?=:)/g, k, () => `"${word}"`),
    ]),
)

function arbitraryCase(protocol: Protocol, seeds: ReturnType<typeof seedBodies>): fc.Arbitrary<FuzzCase> {
  return fc
    .tuple(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([index, mutations]) => {
      const seed = seeds[index] as { origin: string; body: string }
      let body = seed.body
      for (const [, apply] of mutations) body = apply(body)
      return { origin: `${seed.origin}: ${mutations.map(([name]) => name).join(', ')}`, body }
    })
    .chain(({ origin, body }) => {
      const size = byteLength(body)
      const cut = fc.array(fc.integer({ min: 0, max: size }), { maxLength: 24 })
      return fc.tuple(cut, cut).map((cuts): FuzzCase => ({ protocol, origin, body, cuts }))
    })
}

/** `count` cases of one protocol for `seed`, the same ones on every run. */
export function fuzzCases(protocol: Protocol, seed: number, count: number): FuzzCase[] {
  const seeds = seedBodies(protocol)
  if (seeds.length === 0) return []
  return fc.sample(arbitraryCase(protocol, seeds), { seed, numRuns: count })
}

const REASONS = new Set<FinishReason>(['stop', 'length', 'tool-calls', 'content-filter', 'error', 'other'])
const isIndex = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0
const isCount = (value: unknown) => value === undefined || Number.isFinite(value)
const isId = (value: unknown) => typeof value === 'string' && value !== ''

/** What is wrong with one part, or undefined. */
function partProblem(part: StreamPart): string | undefined {
  switch (part.type) {
    case 'text-delta':
    case 'reasoning-delta':
      return typeof part.text === 'string' ? undefined : 'text is not a string'
    case 'tool-call-delta':
      if (!isIndex(part.index)) return `index ${String(part.index)}`
      if (typeof part.argsDelta !== 'string') return 'argsDelta is not a string'
      if (part.id !== undefined && !isId(part.id)) return `id ${JSON.stringify(part.id)}`
      return part.name === undefined || typeof part.name === 'string' ? undefined : 'name is not a string'
    case 'tool-call':
    case 'tool-call-incomplete':
      if (!isIndex(part.index)) return `index ${String(part.index)}`
      if (!isId(part.id)) return `id ${JSON.stringify(part.id)}`
      return typeof part.name === 'string' ? undefined : 'name is not a string'
    case 'tool-result':
      return isId(part.id) ? undefined : `id ${JSON.stringify(part.id)}`
    case 'usage':
      return [
        part.inputTokens,
        part.outputTokens,
        part.reasoningTokens,
        part.cachedInputTokens,
        part.cacheWriteInputTokens,
      ].every(isCount)
        ? undefined
        : 'bad count'
    case 'finish':
      if (!REASONS.has(part.reason)) return `reason ${String(part.reason)}`
      return part.raw === undefined || typeof part.raw === 'string' ? undefined : 'raw is not a string'
    case 'start':
    case 'text-end':
    case 'reasoning-end':
    case 'source':
    case 'file':
    case 'data':
    case 'step-start':
      return undefined
    default:
      return `unknown type ${JSON.stringify((part as { type: unknown }).type)}`
  }
}

/** Deep equality without recursion: parts may hold values nested thousands of levels deep. */
export function same(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]]
  while (stack.length > 0) {
    const [x, y] = stack.pop() as [unknown, unknown]
    if (Object.is(x, y)) continue
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false
    if (Array.isArray(x) !== Array.isArray(y)) return false
    const keys = Object.keys(x)
    if (keys.length !== Object.keys(y).length) return false
    for (const key of keys) {
      if (!Object.hasOwn(y, key)) return false
      stack.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]])
    }
  }
  return true
}

/** The messages of the kind `parse` errors that decode makes of whatever else a decoder throws. */
const UNTYPED_IN_DECODER = /^(An event nested too deeply to decode|An event could not be decoded)/

const summary = (error: unknown) =>
  error === undefined
    ? 'clean end'
    : isStreamError(error)
      ? `${error.kind}: ${error.message}`
      : `untyped ${String(error)}`

/** Reads every part by calling next() `ahead` times before awaiting any, as prefetching helpers do. */
async function prefetching<T>(iterator: AsyncIterator<T>, ahead: number): Promise<Collected<T>> {
  const values: T[] = []
  while (true) {
    const results = await Promise.allSettled(Array.from({ length: ahead }, () => iterator.next()))
    for (const result of results) {
      if (result.status === 'rejected') return { values, error: result.reason }
      if (result.value.done) return { values }
      values.push(result.value.value)
    }
  }
}

/** Decodes one case every way the contract covers and says what broke it; [] when nothing. */
export async function checkCase(fuzz: FuzzCase): Promise<string[]> {
  const { protocol, body } = fuzz
  // Text is read as SSE (as the bodies are written): plain text cuts its deltas where the chunks end.
  const sse = protocol === 'text'
  const run = (cuts: readonly number[], lenient = false) =>
    collect(decode(cutStream(body, cuts), { protocol, lenient, sse }))
  const problems: string[] = []
  const strict = await run([])

  // A typed end: only StreamErrors, and not one that decode made of a decoder's untyped throw.
  if (strict.error !== undefined && !isStreamError(strict.error)) problems.push(`threw ${summary(strict.error)}`)
  const cause = (strict.error as { cause?: unknown } | undefined)?.cause
  if (isStreamError(strict.error) && UNTYPED_IN_DECODER.test(strict.error.message) && cause instanceof Error) {
    problems.push(`the decoder threw an untyped ${cause.name}: ${cause.message}`)
  }

  // Well-formed parts: each one, and a finish only last, once; a clean end has one.
  strict.values.forEach((part, i) => {
    const problem = partProblem(part)
    if (problem !== undefined) problems.push(`part ${i} (${part.type}): ${problem}`)
    if (part.type === 'finish' && i !== strict.values.length - 1) problems.push(`a finish at ${i} is not last`)
  })
  if (strict.error === undefined && strict.values.at(-1)?.type !== 'finish') problems.push('a clean end without finish')

  // The same result under any chunking.
  for (const cuts of fuzz.cuts) {
    const cut = await run(cuts)
    if (!same(cut.values, strict.values) || summary(cut.error) !== summary(strict.error)) {
      problems.push(`cut at [${cuts.join(',')}]: ${cut.values.length} parts and ${summary(cut.error)}`)
    }
  }

  // Nothing received lost, however the parts are asked for.
  const ahead = await prefetching(decode(cutStream(body, fuzz.cuts[0]), { protocol, sse }), 3)
  if (!same(ahead.values, strict.values) || summary(ahead.error) !== summary(strict.error)) {
    problems.push(`prefetching: ${ahead.values.length} parts and ${summary(ahead.error)}`)
  }

  // Lenient extends strict: the same up to strict's parse error, identical without one.
  const lenient = await run(fuzz.cuts[1], true)
  const parseFailed = isStreamError(strict.error) && strict.error.kind === 'parse'
  const prefix = parseFailed ? lenient.values.slice(0, strict.values.length) : lenient.values
  const kind = (error: unknown) => (error as { kind?: string } | undefined)?.kind
  if (!same(prefix, strict.values) || (!parseFailed && kind(lenient.error) !== kind(strict.error))) {
    problems.push(`lenient: ${lenient.values.length} parts and ${summary(lenient.error)}`)
  }
  if (lenient.error !== undefined && !isStreamError(lenient.error))
    problems.push(`lenient threw ${summary(lenient.error)}`)
  if (lenient.error === undefined && lenient.values.at(-1)?.type !== 'finish') {
    problems.push('lenient: a clean end without finish')
  }
  lenient.values.forEach((part, i) => {
    const problem = partProblem(part)
    if (problem !== undefined && i >= strict.values.length)
      problems.push(`lenient part ${i} (${part.type}): ${problem}`)
  })
  return problems
}
