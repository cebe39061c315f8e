import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decode } from '../decode.js'
import { encode } from '../encode.js'
import { arbitraryCuts, byteLength, collect, cutStream } from '../testing/streams.js'
import type { Protocol, StreamPart } from '../types.js'
import type { BufferStrategy } from './buffer.js'
import { streamTokens, type TokenEvent } from './stream-tokens.js'

const strategies: BufferStrategy[] = ['none', 'char', 'word', 'sentence', 'line', { tokens: 3 }]
const protocols: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'ollama', 'ai-sdk']
const piece = fc.string({
  minLength: 1,
  maxLength: 8,
  unit: fc.constantFrom('a', 'b', ' ', '.', '\n', '你', '。', '👋🏽', 'e\u0301', '"', '3'),
})

describe('decode → streamTokens, end to end', () => {
  it('for any wire format, byte chunking and buffer, text and reasoning come out whole and never mix', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...protocols),
        fc.constantFrom(...strategies),
        // Reasoning first, then the answer, as models stream them.
        fc.array(piece, { maxLength: 12 }),
        fc.array(piece, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        async (protocol, buffer, reasoning, text, seed) => {
          const parts: StreamPart[] = [
            { type: 'start', messageId: 'm', model: 'sim' },
            ...reasoning.map((t) => ({ type: 'reasoning-delta' as const, text: t })),
            ...text.map((t) => ({ type: 'text-delta' as const, text: t })),
            { type: 'finish', reason: 'stop' },
          ]
          const body = encode(parts, { protocol })
          const cuts = fc.sample(arbitraryCuts(byteLength(body)), { numRuns: 1, seed })[0] ?? []
          const { values, error } = await collect(streamTokens(decode(cutStream(body, cuts), { protocol }), { buffer }))
          expect(error).toBeUndefined()
          const events = values.filter((item): item is TokenEvent => item.type === 'token')
          const joined = (channel: TokenEvent['channel']) =>
            events
              .filter((e) => e.channel === channel)
              .map((e) => e.text)
              .join('')
          expect(joined('reasoning')).toBe(reasoning.join(''))
          expect(joined('text')).toBe(text.join(''))
          expect(values.at(-1)).toMatchObject({ type: 'finish' })
        },
      ),
      { numRuns: 300 },
    )
  })
})
