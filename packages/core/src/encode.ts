import { aiSdkEncoder } from './protocols/ai-sdk.js'
import { anthropicEncoder } from './protocols/anthropic.js'
import { geminiEncoder } from './protocols/gemini.js'
import { ollamaEncoder } from './protocols/ollama.js'
import { openaiChatEncoder } from './protocols/openai-chat.js'
import { openaiResponsesEncoder } from './protocols/openai-responses.js'
import type { ProtocolEncoder } from './protocols/protocol.js'
import { textEncoder } from './protocols/text.js'
import type { Protocol, StreamPart } from './types.js'

export interface EncodeOptions {
  protocol: Protocol
  /** Message or response id written where the format has one (a `start` part's wins). */
  id?: string
  /** Model name written where the format has one (a `start` part's wins). */
  model?: string
  /** Protocol `text`: write SSE `data:` events instead of a plain body. */
  sse?: boolean
}

/**
 * An encoder for one wire format: parts in, the provider's exact bytes (as text) out.
 * Servers and mocks use it so each format is written once, in the module that decodes it.
 *
 * @example
 * const encoder = createEncoder({ protocol: 'anthropic', model: 'claude-sonnet-4-5' })
 * controller.enqueue(bytes(encoder.push({ type: 'text-delta', text: 'Hi' })))
 */
export function createEncoder(options: EncodeOptions): ProtocolEncoder {
  const { id, model } = options
  switch (options.protocol) {
    case 'openai-chat':
      return openaiChatEncoder({ id, model })
    case 'openai-responses':
      return openaiResponsesEncoder({ id, model })
    case 'anthropic':
      return anthropicEncoder({ id, model })
    case 'gemini':
      return geminiEncoder({ id, model })
    case 'ollama':
      return ollamaEncoder({ model })
    case 'ai-sdk':
      return aiSdkEncoder({ messageId: id })
    case 'text':
      return textEncoder({ sse: options.sse })
    default:
      throw new TypeError(`Unknown protocol: ${String(options.protocol)}`)
  }
}

/** A whole stream's body in one string. */
export function encode(parts: Iterable<StreamPart>, options: EncodeOptions): string {
  const encoder = createEncoder(options)
  let body = ''
  for (const part of parts) body += encoder.push(part)
  return body + encoder.end()
}

/** The content type a provider sends its stream with. */
export function contentTypeOf(protocol: Protocol, options: { sse?: boolean } = {}): string {
  if (protocol === 'ollama') return 'application/x-ndjson'
  if (protocol === 'text' && !options.sse) return 'text/plain; charset=utf-8'
  return 'text/event-stream; charset=utf-8'
}
