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
  /**
   * Largest event data, in characters; past it, kind `limit`. Default 8 MiB. A line (a comment
   * too) may be longer by 1 KiB, the room a field name takes.
   */
  maxEventSize?: number
}

export const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024
/** A line may be longer than the data it carries by its field name: `data: ` and then some. */
const FIELD_SLACK = 1024

function limitError(max: number): StreamError {
  return new StreamError('limit', `A server-sent event exceeded ${max} characters`)
}

/**
 * A synchronous SSE framer: text in, events out through `onEvent`, per WHATWG HTML §9.2.5
 * (parsing an event stream) and §9.2.6 (interpreting it).
 *
 * Limits are checked line by line, as each line is read, so the same bytes trip them or not
 * whatever the chunking: a line over `maxEventSize` + a field name (comments too), or an event
 * whose data grows past `maxEventSize`, throws kind `limit`; nothing is buffered past that.
 */
export interface SSEFramer {
  feed(text: string): void
  /** End of stream: an unterminated event is discarded (§9.2.6). */
  end(): void
}

/**
 * Called per dispatched event. Arguments, not an object: this runs once per token.
 * Returning true stops the framer: nothing after that event is parsed (or can fail the stream).
 */
export type SSEEventHandler = (data: string, event: string | undefined, id: string | undefined) => boolean | undefined

const LF = 10
const COLON = 58
const SPACE = 32

export function createSSEFramer(onEvent: SSEEventHandler, options: SSEOptions = {}): SSEFramer {
  const maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE
  const maxLineSize = maxEventSize + FIELD_SLACK
  const { onRetry } = options
  // Fragments of the line being read; joined once when its end arrives, never re-scanned.
  const fragments: string[] = []
  let fragmentsSize = 0
  // The last chunk ended with a CR, a line end by itself: an LF starting this one belongs to it.
  let afterCR = false
  let stopped = false
  // §9.2.6: the data buffer (as lines), the event type buffer and the last event ID buffer, which
  // is not reset between events (only an `id` field changes it).
  let data = ''
  let dataLines = 0
  let type: string | undefined
  let lastEventId = ''

  // The value after `name` and its colon, one leading space removed; '' for a line without colon.
  const value = (text: string, valueStart: number, end: number) => {
    if (valueStart >= end) return ''
    return text.slice(text.charCodeAt(valueStart) === SPACE ? valueStart + 1 : valueStart, end)
  }
  // The field name is the line up to its first colon, or the whole line (§9.2.5).
  // Whether the line's field is `name`, its first character already matched by the caller.
  // Char by char: `startsWith` at an offset is a call into the runtime, this loop is inlined
  // (a third of the framing time on Anthropic's named events).
  const isField = (text: string, start: number, end: number, name: string) => {
    const nameEnd = start + name.length
    if (nameEnd > end) return false
    for (let i = 1; i < name.length; i++) if (text.charCodeAt(start + i) !== name.charCodeAt(i)) return false
    return nameEnd === end || text.charCodeAt(nameEnd) === COLON
  }

  const dispatch = (eventData: string) => {
    const name = type
    type = undefined
    if (onEvent(eventData, name, lastEventId === '' ? undefined : lastEventId)) stopped = true
  }

  const line = (text: string, start: number, end: number) => {
    if (end - start > maxLineSize) throw limitError(maxEventSize)
    if (start === end) {
      // A blank line dispatches the event; a block without data dispatches nothing.
      if (dataLines === 0) {
        type = undefined
        return
      }
      const eventData = data
      data = ''
      dataLines = 0
      dispatch(eventData)
      return
    }
    // Field names are matched by their first character: the scan never leaves the line, and
    // unknown fields and comments (`:`) cost one comparison.
    switch (text.charCodeAt(start)) {
      case 100: // data
        if (isField(text, start, end, 'data')) {
          const piece = value(text, start + 5, end)
          data = dataLines === 0 ? piece : `${data}\n${piece}`
          dataLines++
          if (data.length > maxEventSize) throw limitError(maxEventSize)
        }
        return
      case 101: // event
        if (isField(text, start, end, 'event')) {
          const name = value(text, start + 6, end)
          type = name === '' || name === 'message' ? undefined : name
        }
        return
      case 105: // id
        if (isField(text, start, end, 'id')) {
          const id = value(text, start + 3, end)
          if (!id.includes('\0')) lastEventId = id
        }
        return
      case 114: // retry
        if (isField(text, start, end, 'retry')) {
          const ms = value(text, start + 6, end)
          // Only ASCII digits make a retry time; anything else is ignored.
          if (/^[0-9]+$/.test(ms)) onRetry?.(Number.parseInt(ms, 10))
        }
        return
    }
  }

  return {
    feed(text) {
      if (stopped || text.length === 0) return
      let start = 0
      if (afterCR) {
        afterCR = false
        if (text.charCodeAt(0) === LF) start = 1
      }
      // Where the next LF and CR are, each searched again only once passed: with no CR in the
      // text (most servers) the loop is one indexOf per line.
      let lf = text.indexOf('\n', start)
      let cr = text.indexOf('\r', start)
      while (true) {
        if (lf !== -1 && lf < start) lf = text.indexOf('\n', start)
        if (cr !== -1 && cr < start) cr = text.indexOf('\r', start)
        const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf
        if (end === -1) break
        let next = end + 1
        if (end === cr) {
          // CR LF is one line end; a CR at the end of the text ends its line now, not when the
          // next chunk shows whether an LF follows.
          if (next === text.length) afterCR = true
          else if (text.charCodeAt(next) === LF) next++
        }
        if (fragments.length === 0) {
          // Fast path: one `data:` line and the blank line right after it, the shape of nearly
          // every event, dispatched in one step instead of two lines.
          if (
            dataLines === 0 &&
            text.charCodeAt(next) === LF &&
            text.charCodeAt(start) === 100 &&
            isField(text, start, start + 4, 'data') &&
            text.charCodeAt(start + 4) === COLON &&
            end - start <= maxLineSize
          ) {
            const eventData = value(text, start + 5, end)
            if (eventData.length > maxEventSize) throw limitError(maxEventSize)
            start = next + 1
            dispatch(eventData)
            if (stopped) return
            continue
          }
          line(text, start, end)
        } else {
          fragments.push(text.slice(start, end))
          const whole = fragments.join('')
          fragments.length = 0
          fragmentsSize = 0
          line(whole, 0, whole.length)
        }
        start = next
        if (stopped) return
      }
      if (start < text.length) {
        fragmentsSize += text.length - start
        if (fragmentsSize > maxLineSize) throw limitError(maxEventSize)
        fragments.push(start === 0 ? text : text.slice(start))
      }
    },
    end() {
      fragments.length = 0
      fragmentsSize = 0
      data = ''
      dataLines = 0
      type = undefined
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
