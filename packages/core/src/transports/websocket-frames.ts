/**
 * The Rivulet WebSocket frame protocol (version 1), written and read in one place for the client
 * transport and for servers. Every frame is a text frame holding one JSON object with a string
 * `type`; the protocol itself is described in `websocket.ts`.
 *
 * Frames are written with `type` and `id` first, so a frame cut off later on can still be
 * attributed to its stream (`leadingId`).
 */
import { excerpt, StreamError, type StreamErrorKind } from '../errors.js'
import type { StreamPart } from '../types.js'

/** What a `StreamError` carries over the socket. */
export interface WebSocketErrorFields {
  kind: StreamErrorKind
  message: string
  status?: number
  code?: string
  retryAfterMs?: number
}

/** Client → server. */
export type WebSocketClientFrame =
  | { type: 'start'; id: string; request: Record<string, unknown>; resumable?: boolean }
  | { type: 'cancel'; id: string }
  | { type: 'resume'; id: string; after: number }
  | { type: 'ping' }

/** Server → client. */
export type WebSocketServerFrame =
  | { type: 'part'; id: string; seq: number; part: StreamPart }
  | { type: 'end'; id: string }
  | { type: 'error'; id: string; error: WebSocketErrorFields }
  | { type: 'pong' }

/** One frame as wire text, `type` and `id` first. */
export function writeWebSocketFrame(frame: WebSocketClientFrame | WebSocketServerFrame): string {
  // Object literal order is JSON.stringify's order: spelling the two first keys out keeps them first.
  const { type, ...rest } = frame as { type: string; id?: string }
  return JSON.stringify('id' in frame ? { type, id: frame.id, ...rest } : { type, ...rest })
}

/** A `StreamError` (or any error) as the fields of an `error` frame. */
export function webSocketErrorFields(error: unknown): WebSocketErrorFields {
  if (error instanceof StreamError) {
    const fields: WebSocketErrorFields = { kind: error.kind, message: error.message }
    if (error.status !== undefined) fields.status = error.status
    if (error.code !== undefined) fields.code = error.code
    if (error.retryAfterMs !== undefined) fields.retryAfterMs = error.retryAfterMs
    return fields
  }
  return { kind: 'provider', message: error instanceof Error ? error.message : String(error) }
}

const ERROR_KINDS = new Set<string>([
  'http',
  'network',
  'parse',
  'provider',
  'interrupted',
  'timeout',
  'aborted',
  'limit',
] satisfies StreamErrorKind[])

/** An `error` frame's fields as a `StreamError`; a kind this version does not know reads as `provider`. */
export function webSocketStreamError(value: unknown): StreamError {
  const error = isRecord(value) ? value : {}
  const kind =
    typeof error.kind === 'string' && ERROR_KINDS.has(error.kind) ? (error.kind as StreamErrorKind) : 'provider'
  const message = typeof error.message === 'string' ? error.message : 'The server reported an error'
  return new StreamError(kind, message, {
    ...(typeof error.status === 'number' && { status: error.status }),
    ...(typeof error.code === 'string' && { code: error.code }),
    ...(typeof error.retryAfterMs === 'number' && { retryAfterMs: error.retryAfterMs }),
  })
}

export type ReadFrame<Frame> =
  | { ok: true; frame: Frame }
  /** A frame type this side does not know: ignored, as the protocol asks. */
  | { ok: 'ignored'; type: string }
  /**
   * Not a frame of the protocol: `reason` says why in a few words (fit for a close frame's
   * 123 bytes), `error` with an excerpt; `id` is the stream it names, when that can be read.
   */
  | { ok: false; error: StreamError; reason: string; id?: string; binary?: boolean }

/** A server frame, checked field by field, so a bad part never reaches a decoder as something else. */
export function readWebSocketServerFrame(data: unknown): ReadFrame<WebSocketServerFrame> {
  const read = readObject(data)
  if (read.ok !== true) return read
  const frame = read.frame
  const bad = (what: string) =>
    malformedFrame(`Frame has ${what}`, `Malformed WebSocket frame: ${what} in ${excerpt(data as string)}`, frame.id)
  switch (frame.type) {
    case 'part':
      if (typeof frame.id !== 'string') return bad('no stream id')
      if (typeof frame.seq !== 'number' || !Number.isSafeInteger(frame.seq) || frame.seq < 1) return bad('a bad seq')
      if (!isStreamPart(frame.part)) return bad('a malformed part')
      return { ok: true, frame: frame as WebSocketServerFrame }
    case 'end':
    case 'error':
      if (typeof frame.id !== 'string') return bad('no stream id')
      return { ok: true, frame: frame as WebSocketServerFrame }
    case 'pong':
      return { ok: true, frame: { type: 'pong' } }
    default:
      return { ok: 'ignored', type: frame.type }
  }
}

/**
 * A client frame, checked field by field. Stream ids are 1 to 128 letters, digits, dots, colons,
 * dashes or underscores, starting with a letter or digit, so they are safe in URLs, logs and store keys.
 */
export function readWebSocketClientFrame(data: unknown): ReadFrame<WebSocketClientFrame> {
  const read = readObject(data)
  if (read.ok !== true) return read
  const frame = read.frame
  const bad = (what: string) => malformedFrame(`Bad ${frame.type} frame: ${what}`, `Bad ${frame.type} frame: ${what}`)
  switch (frame.type) {
    case 'start':
      if (!isStreamId(frame.id)) return bad(`id ${STREAM_ID_RULE}`)
      if (!isRecord(frame.request)) return bad('request must be an object')
      if (frame.resumable !== undefined && typeof frame.resumable !== 'boolean')
        return bad('resumable must be a boolean')
      return { ok: true, frame: frame as WebSocketClientFrame }
    case 'cancel':
      if (typeof frame.id !== 'string') return bad('id must be a string')
      return { ok: true, frame: frame as WebSocketClientFrame }
    case 'resume':
      if (typeof frame.id !== 'string') return bad('id must be a string')
      if (typeof frame.after !== 'number' || !Number.isSafeInteger(frame.after) || frame.after < 0) {
        return bad('after must be a whole number ≥ 0')
      }
      return { ok: true, frame: frame as WebSocketClientFrame }
    case 'ping':
      return { ok: true, frame: { type: 'ping' } }
    default:
      return { ok: 'ignored', type: frame.type }
  }
}

const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
const STREAM_ID_RULE =
  'must be 1 to 128 letters, digits, dots, colons, dashes or underscores, starting with a letter or digit'

/** Whether `value` is a stream id a client may choose. */
export function isStreamId(value: unknown): value is string {
  return typeof value === 'string' && STREAM_ID.test(value)
}

/** Any JSON object with a string `type`, or why not. */
function readObject(data: unknown): ReadFrame<Record<string, unknown> & { type: string }> {
  if (typeof data !== 'string') {
    const reason = 'Binary frames are not supported: send JSON text frames'
    return { ok: false, binary: true, reason, error: new StreamError('parse', 'Malformed WebSocket frame: binary') }
  }
  let frame: unknown
  try {
    frame = JSON.parse(data)
  } catch (cause) {
    // Also a RangeError from JSON nested too deep for the engine: still just a bad frame.
    const error = new StreamError('parse', `Malformed WebSocket frame: invalid JSON ${excerpt(data)}`, { cause })
    return { ok: false, error, reason: 'Frame is not valid JSON', id: leadingId(data) }
  }
  if (!isRecord(frame) || typeof frame.type !== 'string') {
    return malformedFrame(
      'Frame must be a JSON object with a string "type"',
      `Malformed WebSocket frame: no type in ${excerpt(data)}`,
      isRecord(frame) ? frame.id : undefined,
    )
  }
  return { ok: true, frame: frame as Record<string, unknown> & { type: string } }
}

function malformedFrame(reason: string, message: string, id?: unknown): ReadFrame<never> {
  const error = new StreamError('parse', message)
  return typeof id === 'string' ? { ok: false, error, reason, id } : { ok: false, error, reason }
}

/**
 * `{"id":"…"` or `{"type":"…","id":"…"` at the start of a frame. Anchored, and each string matched
 * with its escapes, so a quote inside a later string can never be read as the frame's own `id`.
 */
const LEADING_ID = /^\s*\{\s*(?:"type"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*)?"id"\s*:\s*("(?:[^"\\]|\\.)*")/

/** The `id` of a frame that is not valid JSON, when its first members survived (a frame cut off). */
function leadingId(data: string): string | undefined {
  const quoted = LEADING_ID.exec(data)?.[1]
  if (quoted === undefined) return undefined
  try {
    return JSON.parse(quoted) as string
  } catch {
    return undefined // a bad escape
  }
}

/**
 * The shape checks that keep a bad part from reaching the pipeline as something else: the
 * fields each part type's consumers read. A part type this version does not know is refused.
 */
export function isStreamPart(value: unknown): value is StreamPart {
  if (!isRecord(value)) return false
  switch (value.type) {
    case 'start':
    case 'usage':
    case 'text-end':
    case 'reasoning-end':
    case 'step-start':
      return true
    case 'text-delta':
    case 'reasoning-delta':
      return typeof value.text === 'string'
    case 'tool-call-delta':
      return typeof value.index === 'number' && typeof value.argsDelta === 'string'
    case 'tool-call':
      return typeof value.index === 'number' && typeof value.id === 'string' && typeof value.name === 'string'
    case 'tool-call-incomplete':
      return (
        typeof value.index === 'number' &&
        typeof value.id === 'string' &&
        typeof value.name === 'string' &&
        typeof value.argsText === 'string'
      )
    case 'tool-result':
      return typeof value.id === 'string' && typeof value.name === 'string'
    case 'source':
      return value.url === undefined || typeof value.url === 'string'
    case 'file':
      return typeof value.mediaType === 'string' && typeof value.url === 'string'
    case 'data':
      return typeof value.name === 'string'
    case 'finish':
      return typeof value.reason === 'string'
    default:
      return false
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
