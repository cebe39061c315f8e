import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { StreamError } from '../errors.js'
import type { ByteSource } from '../types.js'
import { readText } from './source.js'

/** One dispatched server-sent event. `event` is absent for the default type, "message". */
export interface SSEEvent {
  event?: string
  data: string
  /** The last event ID (WHATWG: it carries forward until the server changes it). */
  id?: string
}

export interface SSEOptions {
  signal?: AbortSignal
  /** Called with the `retry:` reconnection time the server asks for. */
  onRetry?(ms: number): void
  /** Largest event data (and line), in characters; past it, kind `limit`. Default 8 MiB. */
  maxEventSize?: number
}

export const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024
const BUFFER_SLACK = 1024

function limitError(max: number): StreamError {
  return new StreamError('limit', `A server-sent event exceeded ${max} characters`)
}

/**
 * A synchronous SSE framer: text in, events out through `onEvent`.
 * Line parsing is eventsource-parser's; this adds the spec's last-event-ID carry-over,
 * a trailing CR at end of stream, and a typed size limit.
 */
export interface SSEFramer {
  feed(text: string): void
  /** End of stream: completes a line ended by a lone CR; an unterminated event is discarded. */
  end(): void
}

/** Called per dispatched event. Arguments, not an object: this runs once per token. */
export type SSEEventHandler = (data: string, event: string | undefined, id: string | undefined) => void

export function createSSEFramer(onEvent: SSEEventHandler, options: SSEOptions = {}): SSEFramer {
  const maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE
  let lastEventId = ''
  let endsWithCR = false
  let overflow: StreamError | undefined
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      if (overflow) return // nothing after an oversized event is delivered
      if (message.data.length > maxEventSize) {
        overflow ??= limitError(maxEventSize)
        return
      }
      // WHATWG §9.2.6: `id:` sets the last event ID buffer, which is not reset between events;
      // an empty `id:` resets it. eventsource-parser reports only the id seen in this block.
      if (message.id !== undefined) lastEventId = message.id
      const type = message.event === 'message' ? undefined : message.event
      onEvent(message.data, type, lastEventId === '' ? undefined : lastEventId)
    },
    onRetry: options.onRetry,
    onError(error) {
      // Unknown fields and invalid `retry:` values are ignored, as the spec says.
      if (error.type === 'max-buffer-size-exceeded') {
        overflow ??= limitError(maxEventSize)
      }
    },
    // The parser's buffer holds the event's data so far plus the line being read; the slack
    // leaves room for field names, so the limit means the same whatever the chunking.
    maxBufferSize: maxEventSize + BUFFER_SLACK,
  })
  return {
    feed(text) {
      parser.feed(text)
      if (overflow) throw overflow
      endsWithCR = text.charCodeAt(text.length - 1) === 13
    },
    end() {
      // A CR at the very end is a complete line end (§9.2.5), but the parser waits to see
      // whether an LF follows. Nothing follows, so supply the LF: CR LF is one line end.
      if (endsWithCR) parser.feed('\n')
    },
  }
}

/**
 * Reads server-sent events from a byte stream, per the WHATWG event-stream rules.
 *
 * @example
 * for await (const { event, data } of readSSE(await fetch(url))) console.log(event ?? 'message', data)
 */
export async function* readSSE(
  source: ByteSource,
  options: SSEOptions = {},
): AsyncGenerator<SSEEvent, void, undefined> {
  const queue: SSEEvent[] = []
  const framer = createSSEFramer((data, type, id) => {
    const event: SSEEvent = { data }
    if (type !== undefined) event.event = type
    if (id !== undefined) event.id = id
    queue.push(event)
  }, options)
  try {
    for await (const text of readText(source, options.signal)) {
      framer.feed(text)
      // Events are drained after each chunk so the parser's callbacks stay synchronous.
      for (let i = 0; i < queue.length; i++) yield queue[i] as SSEEvent
      queue.length = 0
    }
    framer.end()
  } catch (error) {
    // The events that arrived before the error still go out first.
    yield* queue
    throw error
  }
  yield* queue
}

/** One server-sent event to write. `event` absent = "message"; `retry` in milliseconds. */
export interface SSEEventInit {
  data: string
  event?: string
  id?: string
  retry?: number
}

// WHATWG §9.2.5: CRLF, a lone LF and a lone CR each end a line.
const LINE_BREAK = /\r\n|\r|\n/

function fieldValue(name: string, value: string): string {
  // A line break would end the field and start another one the caller never wrote; a NUL makes
  // readers ignore the id (§9.2.6).
  if (/[\r\n]/.test(value) || (name === 'id' && value.includes('\0'))) {
    throw new TypeError(`An SSE ${name} cannot contain ${name === 'id' ? 'CR, LF or NUL' : 'CR or LF'}`)
  }
  return value
}

/**
 * One server-sent event as wire text, ended by its blank line. Data with line breaks becomes one
 * `data:` line per line, which readers join with LF (§9.2.6), so no text can inject a field or an
 * event; CR or LF in `event` or `id` throws a `TypeError`.
 *
 * @example
 * formatSSE({ event: 'delta', data: 'one\ntwo' }) // 'event: delta\ndata: one\ndata: two\n\n'
 */
export function formatSSE(event: SSEEventInit): string {
  let head = ''
  if (event.event !== undefined) head += `event: ${fieldValue('event', event.event)}\n`
  if (event.id !== undefined) head += `id: ${fieldValue('id', event.id)}\n`
  if (event.retry !== undefined) {
    // §9.2.6: a retry value of anything but ASCII digits is ignored.
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) {
      throw new TypeError(`An SSE retry must be a whole number of milliseconds, not ${event.retry}`)
    }
    head += `retry: ${event.retry}\n`
  }
  const { data } = event
  // Fast path: JSON data (every provider format) never holds a raw line break.
  if (!data.includes('\n') && !data.includes('\r')) return `${head}data: ${data}\n\n`
  return `${head}data: ${data.split(LINE_BREAK).join('\ndata: ')}\n\n`
}
