/**
 * Wires turn what the model does (`SimEvent`s, or plain parts from a relay) into stored events:
 * SSE events written by core's encoders, one stored event per SSE event so each gets its own
 * `id:`, or WebSocket frames. Faults become the wire's own misbehaviour.
 */
import {
  anthropicEncoder,
  openaiChatEncoder,
  type ProtocolEncoder,
  type StreamPart,
  type WebSocketErrorFields,
  writeWebSocketFrame,
} from '@rivulet/core'
import type { SimEvent } from '../sim/model.js'
import type { RunError, RunSink } from './run.js'

export interface Wire {
  /** Writes one thing the model did to the run. */
  write(event: SimEvent, sink: RunSink): void
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
  return {
    // Anthropic's error type must be one of its own; OpenAI's code is free text.
    fail: ({ message, code }) =>
      splitEvents(encoder.error({ message, code: protocol === 'anthropic' ? 'api_error' : code })),
    write(event, sink) {
      if (event.type === 'part') {
        const { part } = event
        if (part.type === 'usage' && !options.includeUsage) return
        writeEvents(encoder.push(part), sink)
        if (part.type === 'finish') writeEvents(encoder.end(), sink)
        return
      }
      switch (event.fault) {
        case 'drop':
          sink.drop()
          return
        case 'malformed':
          sink.event(malformedEvent(protocol))
          return
        case 'provider-error': {
          const code = protocol === 'anthropic' ? FAULT_ERROR.anthropicCode : FAULT_ERROR.openaiCode
          writeEvents(encoder.error({ message: FAULT_ERROR.message, code }), sink)
          sink.failed()
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

/** Each SSE event of an encoder's text as its own event (most texts hold exactly one: no array then). */
function writeEvents(text: string, sink: RunSink): void {
  const end = text.indexOf('\n\n')
  if (end === -1) {
    if (text !== '') sink.event(`${text}\n\n`)
    return
  }
  if (end === text.length - 2) {
    sink.event(text)
    return
  }
  for (const event of splitEvents(text)) sink.event(event)
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
export function wsWire(id: string): Wire & { part(part: StreamPart, sink: RunSink): void } {
  let seq = 0
  const part = (value: StreamPart, sink: RunSink) => {
    sink.event(writeWebSocketFrame({ type: 'part', id, seq: ++seq, part: value }))
    if (value.type === 'finish') sink.event(writeWebSocketFrame({ type: 'end', id }))
  }
  return {
    fail: ({ kind, ...fields }) => [errorFrame(id, { kind: kind ?? 'provider', ...fields })],
    part,
    write(event, sink) {
      if (event.type === 'part') return part(event.part, sink)
      switch (event.fault) {
        case 'drop':
          sink.drop()
          return
        case 'malformed':
          // Not stored and not numbered: `seq` stays gapless, and a resume never replays it.
          sink.raw(`{"type":"part","id":${JSON.stringify(id)},"seq":`)
          return
        case 'provider-error':
          sink.event(errorFrame(id, { kind: 'provider', message: FAULT_ERROR.message, code: FAULT_ERROR.openaiCode }))
          sink.failed()
      }
    },
  }
}

export type WsErrorFields = WebSocketErrorFields

export function errorFrame(id: string, error: WsErrorFields): string {
  return writeWebSocketFrame({ type: 'error', id, error })
}
