import { isStreamError, type StreamError } from './errors.js'
import { createLineFramer } from './framing/ndjson.js'
import { readText } from './framing/source.js'
import { createSSEFramer } from './framing/sse.js'
import { aiSdkDecoder } from './protocols/ai-sdk.js'
import { anthropicDecoder } from './protocols/anthropic.js'
import { geminiDecoder } from './protocols/gemini.js'
import { ollamaDecoder } from './protocols/ollama.js'
import { openaiChatDecoder } from './protocols/openai-chat.js'
import { openaiResponsesDecoder } from './protocols/openai-responses.js'
import type { ProtocolDecoder } from './protocols/protocol.js'
import { textDecoder } from './protocols/text.js'
import type { ByteSource, Protocol, StreamPart } from './types.js'

export interface DecodeOptions {
  protocol: Protocol
  signal?: AbortSignal
  /**
   * Skip malformed events (invalid JSON, wrong shape) instead of throwing kind `parse`;
   * each one skipped is reported to `onMalformed`. Default false.
   */
  lenient?: boolean
  onMalformed?(error: StreamError): void
  /** Largest SSE event or NDJSON line, in characters; past it, kind `limit`. Default 8 MiB. */
  maxEventSize?: number
  /** SSE `id:` of each event as it arrives: the position to resume from with `Last-Event-ID`. */
  onEventId?(id: string): void
  /** SSE `retry:` reconnection time asked for by the server. */
  onRetry?(ms: number): void
  /**
   * Protocol `text` only: read the body as SSE, each event's data a piece of text.
   * Default: true when the source is a `Response` with `content-type: text/event-stream`.
   */
  sse?: boolean
}

const decoders: Record<Protocol, (options: DecodeOptions, source: ByteSource) => ProtocolDecoder> = {
  'openai-chat': () => openaiChatDecoder(),
  'openai-responses': () => openaiResponsesDecoder(),
  anthropic: () => anthropicDecoder(),
  gemini: () => geminiDecoder(),
  ollama: () => ollamaDecoder(),
  'ai-sdk': () => aiSdkDecoder(),
  text: (options, source) => textDecoder({ sse: options.sse ?? isEventStream(source) }),
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
export async function* decode(source: ByteSource, options: DecodeOptions): AsyncGenerator<StreamPart, void, undefined> {
  const make = decoders[options.protocol]
  if (make === undefined) throw new TypeError(`Unknown protocol: ${String(options.protocol)}`)
  const decoder = make(options, source)
  const out: StreamPart[] = []
  const message = options.lenient ? lenientMessage(decoder, options) : strictMessage(decoder)
  const framer = createFramer(decoder, message, out, options)
  try {
    for await (const text of readText(source, options.signal)) {
      framer.feed(text)
      for (let i = 0; i < out.length; i++) yield out[i] as StreamPart
      out.length = 0
      // Leaving the loop cancels the body: after the terminal signal nothing is left to read.
      if (decoder.closed) return
    }
    framer.end()
    if (!decoder.closed) decoder.end(out)
  } catch (error) {
    // Nothing received is dropped: the parts decoded before the error go out first.
    yield* out
    throw error
  }
  yield* out
}

type MessageHandler = (data: string, event: string | undefined, out: StreamPart[]) => void

interface Framer {
  feed(text: string): void
  end(): void
}

function createFramer(
  decoder: ProtocolDecoder,
  message: MessageHandler,
  out: StreamPart[],
  options: DecodeOptions,
): Framer {
  switch (decoder.framing) {
    case 'sse': {
      let lastId: string | undefined
      const { onEventId } = options
      return createSSEFramer(
        (event) => {
          if (event.id !== undefined && event.id !== lastId) {
            lastId = event.id
            onEventId?.(event.id)
          }
          message(event.data, event.event, out)
        },
        { maxEventSize: options.maxEventSize, onRetry: options.onRetry },
      )
    }
    case 'ndjson':
      return createLineFramer((line) => message(line, undefined, out), { maxLineSize: options.maxEventSize })
    case 'text':
      return { feed: (text) => message(text, undefined, out), end() {} }
  }
}

// After the terminal signal, whatever else the same chunk holds is not part of the answer.
function strictMessage(decoder: ProtocolDecoder): MessageHandler {
  return (data, event, out) => {
    if (!decoder.closed) decoder.message(data, event, out)
  }
}

function lenientMessage(decoder: ProtocolDecoder, options: DecodeOptions): MessageHandler {
  return (data, event, out) => {
    if (decoder.closed) return
    try {
      decoder.message(data, event, out)
    } catch (error) {
      if (!isStreamError(error) || error.kind !== 'parse') throw error
      options.onMalformed?.(error)
    }
  }
}

function isEventStream(source: ByteSource): boolean {
  const headers = (source as Partial<Response>).headers
  return headers?.get?.('content-type')?.includes('text/event-stream') ?? false
}
