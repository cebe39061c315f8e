import { createEncoder, type Protocol, type StreamPart } from '@rivulet/core'
import { markdownAnswer } from '../../packages/markdown/bench/answer.js'
import { prng } from './harness.js'

const WORDS = [
  'the',
  'stream',
  'of',
  'tokens',
  'arrives',
  'quickly',
  'and',
  'renders',
  'smoothly',
  'while',
  'users',
  'read',
  'along;',
  'naïve',
  'café',
  'über',
  'déjà',
  'vu',
  '—',
  'résumé',
  '日本語',
  '테스트',
  '👋🏽',
  'emoji',
  '"quoted"',
  'back\\slash',
  'new\nline',
  'tab\tbed',
  '3.14',
  'e.g.',
  'code:',
  '`x`',
]

/** `count` token-sized text deltas, deterministic, with multi-byte characters and escapes. */
export function tokens(count: number, seed = 1): string[] {
  const random = prng(seed)
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(` ${WORDS[Math.floor(random() * WORDS.length)]}`)
  return out
}

/** A complete streamed answer of `count` tokens in a provider's wire format. */
export function body(protocol: Protocol, deltas: readonly string[]): Uint8Array {
  const parts: StreamPart[] = [
    { type: 'start', messageId: 'msg_bench', model: 'bench' },
    ...deltas.map((text) => ({ type: 'text-delta' as const, text })),
    { type: 'usage', inputTokens: 10, outputTokens: deltas.length },
    { type: 'finish', reason: 'stop' },
  ]
  const encoder = createEncoder({ protocol, id: 'msg_bench', model: 'bench' })
  let text = ''
  for (const part of parts) text += encoder.push(part)
  return new TextEncoder().encode(text + encoder.end())
}

/**
 * A markdown answer (headings, lists, fenced code, a table, footnotes: the one
 * `@rivulet/markdown` chose its parser on) cut into exactly `count` deltas of about 4
 * characters each, so fences, table rows and markers are split mid-way as a model splits them.
 */
export function markdownTokens(count: number): string[] {
  const text = markdownAnswer(count)
  const out: string[] = []
  for (let i = 0; i < count; i++)
    out.push(text.slice(Math.round((i * text.length) / count), Math.round(((i + 1) * text.length) / count)))
  return out
}
