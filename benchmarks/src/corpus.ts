import { createEncoder, type Protocol, type StreamPart } from '@rivulet/core'
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
