import type { DecodeStreamOptions } from './decode-stream.js'
import { decodeWith } from './decode-stream.js'
import { StreamError } from './errors.js'
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

/** Every wire format `decode` reads and `encode` writes. */
export const PROTOCOLS: readonly Protocol[] = Object.freeze(Object.keys(decoders) as Protocol[])

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
  let decoder: ProtocolDecoder
  try {
    decoder = createDecoder(options?.protocol, source, options)
  } catch (error) {
    return failing(error as StreamError)
  }
  return decodeWith(source, decoder, options)
}

/**
 * A fresh decoder for one protocol's wire format. An unknown protocol is kind `parse`: there is
 * no way to read the body.
 */
export function createDecoder(
  protocol: Protocol,
  source?: ByteSource,
  options: { sse?: boolean } = {},
): ProtocolDecoder {
  const make = Object.hasOwn(decoders, protocol) ? decoders[protocol] : undefined
  if (make === undefined) throw new StreamError('parse', `Unknown protocol: ${String(protocol)}`)
  return make(options, source)
}

function isEventStream(source: ByteSource): boolean {
  const headers = (source as Partial<Response> | null | undefined)?.headers
  return headers?.get?.('content-type')?.includes('text/event-stream') ?? false
}

// biome-ignore lint/correctness/useYield: it only throws, from the iterator
async function* failing(error: StreamError): AsyncGenerator<never, void, undefined> {
  throw error
}
