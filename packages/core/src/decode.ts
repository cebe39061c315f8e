import type { DecodeStreamOptions } from './decode-stream.js'
import { decodeWith } from './decode-stream.js'
import { aiSdkDecoder } from './protocols/ai-sdk.js'
import { anthropicDecoder } from './protocols/anthropic.js'
import { geminiDecoder } from './protocols/gemini.js'
import { ollamaDecoder } from './protocols/ollama.js'
import { openaiChatDecoder } from './protocols/openai-chat.js'
import { openaiResponsesDecoder } from './protocols/openai-responses.js'
import type { ProtocolDecoder } from './protocols/protocol.js'
import { textDecoder } from './protocols/text.js'
import type { ByteSource, Protocol, StreamPart } from './types.js'

export type { DecodeStreamOptions }

export interface DecodeOptions extends DecodeStreamOptions {
  protocol: Protocol
  /**
   * Protocol `text` only: read the body as SSE, each event's data a piece of text.
   * Default: true when the source is a `Response` with `content-type: text/event-stream`.
   */
  sse?: boolean
}

const decoders: Record<Protocol, (options: { sse?: boolean }, source: ByteSource | undefined) => ProtocolDecoder> = {
  'openai-chat': () => openaiChatDecoder(),
  'openai-responses': () => openaiResponsesDecoder(),
  anthropic: () => anthropicDecoder(),
  gemini: () => geminiDecoder(),
  ollama: () => ollamaDecoder(),
  'ai-sdk': () => aiSdkDecoder(),
  text: (options, source) => textDecoder({ sse: options.sse ?? (source !== undefined && isEventStream(source)) }),
}

/**
 * Decodes a provider's streamed response into normalized `StreamPart`s.
 *
 * Every part that arrived is yielded before any error is thrown; errors are `StreamError`s
 * (`http`, `network`, `parse`, `provider`, `interrupted`, `aborted`, `limit`).
 *
 * @example
 * const res = await fetch('/v1/chat/completions', { method: 'POST', body, signal })
 * for await (const part of decode(res, { protocol: 'openai-chat', signal })) {
 *   if (part.type === 'text-delta') output += part.text
 * }
 */
export function decode(source: ByteSource, options: DecodeOptions): AsyncIterableIterator<StreamPart> {
  // Like every other failure, an unknown protocol is thrown from the iterator.
  if (decoders[options.protocol] === undefined) {
    return failing(new TypeError(`Unknown protocol: ${String(options.protocol)}`))
  }
  return decodeWith(source, createDecoder(options.protocol, source, options), options)
}

/** A fresh decoder for one protocol's wire format. */
export function createDecoder(
  protocol: Protocol,
  source?: ByteSource,
  options: { sse?: boolean } = {},
): ProtocolDecoder {
  const make = decoders[protocol]
  if (make === undefined) throw new TypeError(`Unknown protocol: ${String(protocol)}`)
  return make(options, source)
}

function isEventStream(source: ByteSource): boolean {
  const headers = (source as Partial<Response>).headers
  return headers?.get?.('content-type')?.includes('text/event-stream') ?? false
}

// biome-ignore lint/correctness/useYield: it only throws, from the iterator
async function* failing(error: Error): AsyncGenerator<never, void, undefined> {
  throw error
}
