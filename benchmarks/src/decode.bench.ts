import { jsonSchema, parseJsonEventStream } from '@ai-sdk/provider-utils'
import { Stream as AnthropicStream } from '@anthropic-ai/sdk/core/streaming'
import { decode, type Protocol } from '@rivulet/core'
import { createParser } from 'eventsource-parser'
import { Stream as OpenAIStream } from 'openai/core/streaming'
import { body, tokens } from './corpus.js'
import { type Contender, chunk, compare, type Measured, prng, streamOf } from './harness.js'

type Extract = (event: Record<string, unknown>) => string | undefined

const openaiText: Extract = (chunk) => {
  const choices = chunk.choices as Array<{ delta?: { content?: string | null } }> | undefined
  return choices?.[0]?.delta?.content ?? undefined
}
const anthropicText: Extract = (event) =>
  event.type === 'content_block_delta' ? ((event.delta as { text?: string }).text ?? undefined) : undefined

/** The hand-written floor: streaming TextDecoder + eventsource-parser + JSON.parse of each event. */
async function floor(chunks: Uint8Array[], extract: Extract): Promise<string> {
  const texts: string[] = []
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return
      const text = extract(JSON.parse(event.data))
      if (text) texts.push(text)
    },
  })
  const decoder = new TextDecoder()
  const reader = streamOf(chunks).getReader()
  while (true) {
    const { done, value } = await reader.read()
    if (done) break
    parser.feed(decoder.decode(value, { stream: true }))
  }
  return texts.join('')
}

async function rivulet(chunks: Uint8Array[], protocol: Protocol): Promise<string> {
  const texts: string[] = []
  for await (const part of decode(streamOf(chunks), { protocol })) if (part.type === 'text-delta') texts.push(part.text)
  return texts.join('')
}

async function sdk(chunks: Uint8Array[], extract: Extract, which: 'openai' | 'anthropic'): Promise<string> {
  const response = new Response(streamOf(chunks), { headers: { 'content-type': 'text/event-stream' } })
  const controller = new AbortController()
  const stream =
    which === 'openai'
      ? OpenAIStream.fromSSEResponse<Record<string, unknown>>(response, controller)
      : AnthropicStream.fromSSEResponse<Record<string, unknown>>(response, controller)
  const texts: string[] = []
  for await (const event of stream) {
    const text = extract(event)
    if (text) texts.push(text)
  }
  return texts.join('')
}

const anySchema = jsonSchema<Record<string, unknown>>({ type: 'object' })

/** The Vercel AI SDK's event-stream parser (TextDecoderStream + EventSourceParserStream + JSON). */
async function aiSdk(chunks: Uint8Array[], extract: Extract): Promise<string> {
  const texts: string[] = []
  const reader = parseJsonEventStream({ stream: streamOf(chunks), schema: anySchema }).getReader()
  while (true) {
    const { done, value } = await reader.read()
    if (done) break
    if (value.success) {
      const text = extract(value.value)
      if (text) texts.push(text)
    }
  }
  return texts.join('')
}

export interface DecodeResult {
  protocol: Protocol
  bytes: number
  tokens: number
  chunks: number
  measured: Measured[]
}

export async function decodeBenchmarks(tokenCount: number, rounds: number): Promise<DecodeResult[]> {
  const deltas = tokens(tokenCount)
  const results: DecodeResult[] = []
  for (const [protocol, extract, which] of [
    ['openai-chat', openaiText, 'openai'],
    ['anthropic', anthropicText, 'anthropic'],
  ] as const) {
    const bytes = body(protocol, deltas)
    const chunks = chunk(bytes, prng(42))
    const contenders: Contender[] = [
      { name: 'Rivulet decode', run: () => rivulet(chunks, protocol) },
      { name: 'floor (TextDecoder + eventsource-parser + JSON.parse)', run: () => floor(chunks, extract) },
      {
        name: `${which === 'openai' ? 'openai' : '@anthropic-ai/sdk'} Stream.fromSSEResponse`,
        run: () => sdk(chunks, extract, which),
      },
      { name: 'AI SDK parseJsonEventStream', run: () => aiSdk(chunks, extract) },
    ]
    const expected = deltas.join('')
    const check = await contenders[0]?.run()
    if (check !== expected) throw new Error(`Rivulet decode of ${protocol} lost text`)
    results.push({
      protocol,
      bytes: bytes.length,
      tokens: tokenCount,
      chunks: chunks.length,
      measured: await compare(contenders, rounds),
    })
  }
  return results
}
