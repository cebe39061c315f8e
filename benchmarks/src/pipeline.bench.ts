import { type BufferStrategy, decode, streamTokens } from '@rivulet/core'
import { body, tokens } from './corpus.js'
import { chunk, compare, type Measured, prng, streamOf } from './harness.js'

export const strategies: Array<[string, BufferStrategy | undefined]> = [
  ['decode only', undefined],
  ['none', 'none'],
  ['char', 'char'],
  ['word', 'word'],
  ['sentence', 'sentence'],
  ['line', 'line'],
  ['{ tokens: 4 }', { tokens: 4 }],
]

/** decode + streamTokens with each buffer, consuming every event (and its progress). */
export async function pipelineBenchmarks(tokenCount: number, rounds: number): Promise<Measured[]> {
  const deltas = tokens(tokenCount, 7)
  const chunks = chunk(body('openai-chat', deltas), prng(7))
  return compare(
    strategies.map(([name, buffer]) => ({
      name,
      run: async () => {
        const parts = decode(streamOf(chunks), { protocol: 'openai-chat' })
        const texts: string[] = []
        if (buffer === undefined) {
          for await (const part of parts) if (part.type === 'text-delta') texts.push(part.text)
        } else {
          for await (const item of streamTokens(parts, { buffer, estimatedTokens: tokenCount })) {
            if (item.type === 'token') texts.push(item.text)
          }
        }
        return texts.join('')
      },
    })),
    rounds,
  )
}
