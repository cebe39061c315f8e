import { pathToFileURL } from 'node:url'
import { jsonSchema, parseJsonEventStream } from '@ai-sdk/provider-utils'
import { Stream as AnthropicStream } from '@anthropic-ai/sdk/core/streaming'
import { type ByteSource, decode, type Protocol } from '@rivulet/core'
import { createParser } from 'eventsource-parser'
import { Stream as OpenAIStream } from 'openai/core/streaming'
import { body, tokens } from './corpus.js'
import { type Clock, type Contender, chunk, compare, fmt, type Measured, prng, streamOf, table } from './harness.js'

/**
 * This process's CPU time (user + system), in ms: for work that never waits on I/O it is the
 * wall time an idle machine would show, and a busy machine taking the CPU away does not add to it.
 */
const cpuClock: Clock = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

type Extract = (event: Record<string, unknown>) => string | undefined

const openaiText: Extract = (chunk) => {
  const choices = chunk.choices as Array<{ delta?: { content?: string | null } }> | undefined
  return choices?.[0]?.delta?.content ?? undefined
}
const anthropicText: Extract = (event) =>
  event.type === 'content_block_delta' ? ((event.delta as { text?: string }).text ?? undefined) : undefined

/**
 * The hand-written floor, no library: streaming TextDecoder, a split on LF, JSON.parse of each
 * `data:` line. It knows the bodies' shape (LF line ends, one data line per event), so it is the
 * least any SSE reader can do; a real parser also handles CR, multi-line data and fields.
 */
async function floor(chunks: Uint8Array[], extract: Extract): Promise<string> {
  const texts: string[] = []
  const decoder = new TextDecoder()
  const reader = streamOf(chunks).getReader()
  let rest = ''
  while (true) {
    const { done, value } = await reader.read()
    if (done) break
    const text = rest + decoder.decode(value, { stream: true })
    let start = 0
    let newline = text.indexOf('\n')
    while (newline !== -1) {
      if (text.startsWith('data: ', start)) {
        const data = text.slice(start + 6, newline)
        if (data !== '[DONE]') {
          const delta = extract(JSON.parse(data))
          if (delta) texts.push(delta)
        }
      }
      start = newline + 1
      newline = text.indexOf('\n', start)
    }
    rest = text.slice(start)
  }
  return texts.join('')
}

/** eventsource-parser's callback API + TextDecoder + JSON.parse: what our SSE framing builds on. */
async function eventsourceParser(chunks: Uint8Array[], extract: Extract): Promise<string> {
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

async function* iterableOf(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk
}

/** The byte sources `decode` takes, each as a user would hand it over. */
const sources = {
  Response: (chunks: Uint8Array[]) =>
    new Response(streamOf(chunks), { headers: { 'content-type': 'text/event-stream' } }),
  ReadableStream: (chunks: Uint8Array[]) => streamOf(chunks),
  'async iterable': (chunks: Uint8Array[]) => iterableOf(chunks),
} satisfies Record<string, (chunks: Uint8Array[]) => ByteSource>

export type DecodeSource = keyof typeof sources

async function rivulet(chunks: Uint8Array[], protocol: Protocol, source: DecodeSource): Promise<string> {
  const texts: string[] = []
  for await (const part of decode(sources[source](chunks), { protocol })) {
    if (part.type === 'text-delta') texts.push(part.text)
  }
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

export const FLOOR = 'floor (TextDecoder + line split + JSON.parse)'
export const rivuletName = (source: DecodeSource) =>
  `Rivulet decode of ${source === 'async iterable' ? 'an' : 'a'} ${source}`

export interface DecodeResult {
  protocol: Protocol
  bytes: number
  tokens: number
  chunks: number
  /** Rivulet's contenders first (one per source), then the floor, eventsource-parser and the SDKs. */
  measured: Measured[]
  /** The fastest round's ms of the floor, and of `decode` per source. */
  floorMs: number
  decodeMs: Record<DecodeSource, number>
  /** The SDKs' parsers, the contenders `decode` must beat. */
  sdks: Measured[]
}

export async function decodeBenchmarks(
  tokenCount: number,
  rounds: number,
  only: readonly Protocol[] = ['openai-chat', 'anthropic'],
): Promise<DecodeResult[]> {
  const deltas = tokens(tokenCount)
  const results: DecodeResult[] = []
  for (const [protocol, extract, which] of [
    ['openai-chat', openaiText, 'openai'],
    ['anthropic', anthropicText, 'anthropic'],
  ] as const) {
    if (!only.includes(protocol)) continue
    const bytes = body(protocol, deltas)
    const chunks = chunk(bytes, prng(42))
    const ours = (Object.keys(sources) as DecodeSource[]).map(
      (source): Contender => ({ name: rivuletName(source), run: () => rivulet(chunks, protocol, source) }),
    )
    const sdkNames = [
      `${which === 'openai' ? 'openai' : '@anthropic-ai/sdk'} Stream.fromSSEResponse`,
      'AI SDK parseJsonEventStream',
    ]
    const contenders: Contender[] = [
      ...ours,
      { name: FLOOR, run: () => floor(chunks, extract) },
      { name: 'eventsource-parser + JSON.parse', run: () => eventsourceParser(chunks, extract) },
      { name: sdkNames[0] as string, run: () => sdk(chunks, extract, which) },
      { name: sdkNames[1] as string, run: () => aiSdk(chunks, extract) },
    ]
    const expected = deltas.join('')
    for (const contender of contenders) {
      if ((await contender.run()) !== expected) throw new Error(`${contender.name} of ${protocol} lost text`)
    }
    const measured = await compare(contenders, rounds, 3, cpuClock)
    const fastest = (name: string) => measured.find((m) => m.name === name)?.minMs ?? Number.NaN
    results.push({
      protocol,
      bytes: bytes.length,
      tokens: tokenCount,
      chunks: chunks.length,
      measured,
      floorMs: fastest(FLOOR),
      decodeMs: Object.fromEntries(
        (Object.keys(sources) as DecodeSource[]).map((source) => [source, fastest(rivuletName(source))]),
      ) as Record<DecodeSource, number>,
      sdks: measured.filter((m) => sdkNames.includes(m.name)),
    })
  }
  return results
}

/** The decode section of RESULTS.md: one table per protocol, ratios to the floor's time. */
export function decodeTables(results: readonly DecodeResult[]): string {
  const lines: string[] = []
  for (const result of results) {
    lines.push(`### ${result.protocol}: ${fmt(result.bytes / 2 ** 20)} MiB in ${fmt(result.chunks, 0)} chunks`, '')
    lines.push(
      table(
        ['parser', 'fastest ms', 'median ms', 'tokens/s', 'MB/s', '× floor time'],
        result.measured.map((m) => [
          m.name,
          fmt(m.minMs),
          fmt(m.medianMs),
          fmt(result.tokens / (m.minMs / 1000), 0),
          fmt(result.bytes / 1e6 / (m.minMs / 1000)),
          fmt(m.minMs / result.floorMs, 2),
        ]),
      ),
      '',
    )
  }
  return lines.join('\n')
}

// `tsx --conditions=@rivulet/source src/decode.bench.ts [tokens] [rounds] [protocol…]`: this section alone.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count = '100000', rounds = '9', ...protocols] = process.argv.slice(2)
  const only = protocols.length > 0 ? (protocols as Protocol[]) : undefined
  console.log(decodeTables(await decodeBenchmarks(Number(count), Number(rounds), only)))
}
