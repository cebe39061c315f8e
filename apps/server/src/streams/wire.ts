/**
 * Wires turn what the model does (`SimEvent`s, or plain parts from a relay) into stored events:
 * SSE events written by core's encoders, one stored event per SSE event so each gets its own
 * `id:`, or WebSocket frames. Faults become the wire's own misbehaviour.
 */
import { anthropicEncoder, openaiChatEncoder, type ProtocolEncoder, type StreamPart } from '@rivulet/core'
import type { SimEvent } from '../sim/model.js'
import type { RunError, RunItem } from './run.js'

export interface Wire {
  items(events: AsyncIterable<SimEvent>): AsyncIterable<RunItem>
  /** Terminal error events in this wire's shape. */
  fail(error: RunError): string[]
}

/** The message and code of the `provider-error` fault. */
export const FAULT_ERROR = {
  message: 'The simulated model failed mid-stream (provider-error fault)',
  openaiCode: 'server_error',
  anthropicCode: 'overloaded_error',
}

export interface SseWireOptions {
  protocol: 'openai-chat' | 'anthropic'
  id: string
  model: string
  /** OpenAI `stream_options.include_usage`; Anthropic always reports usage. */
  includeUsage: boolean
  /** Unix seconds for OpenAI's `created`. */
  created: number
}

export function sseWire(options: SseWireOptions): Wire {
  const { protocol } = options
  const encoder: ProtocolEncoder =
    protocol === 'openai-chat'
      ? openaiChatEncoder({ id: options.id, model: options.model, created: options.created })
      : anthropicEncoder({ id: options.id, model: options.model })
  // Anthropic's error type must be one of its own; OpenAI's code is free text.
  const fail = ({ message, code }: RunError) =>
    splitEvents(encoder.error({ message, code: protocol === 'anthropic' ? 'api_error' : code }))
  return {
    fail,
    async *items(events) {
      for await (const event of events) {
        if (event.type === 'part') {
          const { part } = event
          if (part.type === 'usage' && !options.includeUsage) continue
          for (const data of splitEvents(encoder.push(part))) yield { type: 'event', data }
          if (part.type === 'finish') for (const data of splitEvents(encoder.end())) yield { type: 'event', data }
          continue
        }
        switch (event.fault) {
          case 'drop':
            yield { type: 'drop' }
            break
          case 'malformed':
            yield { type: 'event', data: malformedEvent(protocol) }
            break
          case 'provider-error': {
            const code = protocol === 'anthropic' ? FAULT_ERROR.anthropicCode : FAULT_ERROR.openaiCode
            for (const data of splitEvents(encoder.error({ message: FAULT_ERROR.message, code })))
              yield { type: 'event', data }
            yield { type: 'failed' }
            return
          }
        }
      }
    },
  }
}

/**
 * An event whose JSON is cut off, in the place the real one would be: a strict decoder throws
 * `parse`, a lenient one skips it and reads on.
 */
function malformedEvent(protocol: 'openai-chat' | 'anthropic'): string {
  return protocol === 'anthropic'
    ? 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"cut of\n\n'
    : 'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"cut of\n\n'
}

/** An encoder's text holds whole SSE events, each ending in a blank line (their data is JSON: no line breaks). */
export function splitEvents(text: string): string[] {
  if (text === '') return []
  const out: string[] = []
  let start = 0
  while (start < text.length) {
    const end = text.indexOf('\n\n', start)
    if (end === -1) {
      out.push(`${text.slice(start)}\n\n`)
      break
    }
    out.push(text.slice(start, end + 2))
    start = end + 2
  }
  return out
}

/** WebSocket frames (see core's transports/websocket.ts for the protocol). */
export function wsWire(id: string): Wire & { parts(parts: AsyncIterable<StreamPart>): AsyncIterable<RunItem> } {
  let seq = 0
  const part = (value: StreamPart) => JSON.stringify({ type: 'part', id, seq: ++seq, part: value })
  const fail = ({ kind, ...fields }: RunError) => [errorFrame(id, { kind: kind ?? 'provider', ...fields })]
  return {
    fail,
    async *items(events) {
      for await (const event of events) {
        if (event.type === 'part') {
          yield { type: 'event', data: part(event.part) }
          if (event.part.type === 'finish') yield { type: 'event', data: JSON.stringify({ type: 'end', id }) }
          continue
        }
        switch (event.fault) {
          case 'drop':
            yield { type: 'drop' }
            break
          case 'malformed':
            // Not stored and not numbered: `seq` stays gapless, and a resume never replays it.
            yield { type: 'raw', data: `{"type":"part","id":${JSON.stringify(id)},"seq":` }
            break
          case 'provider-error':
            yield {
              type: 'event',
              data: errorFrame(id, { kind: 'provider', message: FAULT_ERROR.message, code: FAULT_ERROR.openaiCode }),
            }
            yield { type: 'failed' }
            return
        }
      }
    },
    /** Parts from a relay, decoded from the upstream's stream. */
    async *parts(parts) {
      for await (const value of parts) {
        yield { type: 'event', data: part(value) }
        if (value.type === 'finish') yield { type: 'event', data: JSON.stringify({ type: 'end', id }) }
      }
    },
  }
}

export interface WsErrorFields {
  kind: string
  message: string
  status?: number
  code?: string
  retryAfterMs?: number
}

export function errorFrame(id: string, error: WsErrorFields): string {
  return JSON.stringify({ type: 'error', id, error })
}
