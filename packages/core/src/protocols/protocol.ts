import { excerpt, StreamError } from '../errors.js'
import { formatSSE } from '../framing/sse.js'
import { isObject, providerErrorDetail } from '../http-error.js'
import type { FinishReason, StreamPart } from '../types.js'

/**
 * One wire format's decoder: a synchronous state machine fed one framed message at a time.
 * It pushes the parts each message yields into `out` and never re-reads earlier messages.
 */
export interface ProtocolDecoder {
  /** How the body is framed: SSE events, NDJSON lines, or raw text chunks. */
  readonly framing: 'sse' | 'ndjson' | 'text'
  /** One SSE event's data (with its event name), one NDJSON line, or one text chunk. */
  message(data: string, event: string | undefined, out: StreamPart[]): void
  /** The bytes ended: push the final parts, or throw `interrupted` if the protocol's end never came. */
  end(out: StreamPart[]): void
  /** True once the terminal signal was seen and nothing more will follow: reading can stop. */
  readonly closed: boolean
}

/** Builds the body of one wire format from parts. Each call returns the text to write next. */
export interface ProtocolEncoder {
  /** The wire text for one part (may be '' when the format carries it later). */
  push(part: StreamPart): string
  /** An in-band provider error, in the format's own error event shape. */
  error(error: { message: string; code?: string }): string
  /** Whatever the format writes after the last part. */
  end(): string
}

/** Parses one event's JSON, or throws kind `parse` with a short excerpt. */
export function parseEventJSON(data: string, where: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch (cause) {
    throw new StreamError('parse', `Invalid JSON in ${where}: ${excerpt(data)}`, { cause })
  }
  if (!isObject(value) || Array.isArray(value)) throw malformed(where, data)
  return value
}

export function malformed(where: string, data: string): StreamError {
  return new StreamError('parse', `Unexpected shape of ${where}: ${excerpt(data)}`)
}

export function interrupted(what: string): StreamError {
  return new StreamError('interrupted', `The stream ended before ${what}`)
}

/** An in-band provider error (any provider's shape) as kind `provider`. */
export function providerError(value: unknown, fallback = 'The provider reported an error'): StreamError {
  const detail = providerErrorDetail(value)
  return new StreamError('provider', detail.message ?? fallback, {
    ...(detail.code !== undefined && { code: detail.code }),
  })
}

/**
 * A usage part from OpenAI-style counts: the two APIs name the same numbers differently
 * (`prompt_tokens` / `input_tokens`, …), with reasoning tokens in a details object.
 */
export function openaiUsagePart(usage: Record<string, unknown>, input: string, output: string): StreamPart {
  const part: StreamPart = { type: 'usage' }
  if (typeof usage[input] === 'number') part.inputTokens = usage[input]
  if (typeof usage[output] === 'number') part.outputTokens = usage[output]
  const details = usage[`${output}_details`]
  if (isObject(details) && typeof details.reasoning_tokens === 'number') part.reasoningTokens = details.reasoning_tokens
  return part
}

/** Maps a provider's finish word through `table`; unknown words become `other`, the word kept in `raw`. */
export function finishPart(raw: string, table: Readonly<Record<string, FinishReason>>): StreamPart {
  return { type: 'finish', reason: table[raw] ?? 'other', raw }
}

/** The provider's word for a normalized reason: the part's own `raw`, else the table's first match. */
export function rawFinish(
  part: { reason: FinishReason; raw?: string },
  table: Readonly<Record<string, FinishReason>>,
  fallback: string,
): string {
  if (part.raw !== undefined) return part.raw
  for (const word in table) if (table[word] === part.reason) return word
  return fallback
}

/**
 * Tool-call arguments arrive as JSON text in pieces; they are joined once, at the end, and parsed.
 * An empty string means no arguments.
 */
export function parseToolArgs(pieces: readonly string[], name: string): unknown {
  const text = pieces.length === 1 ? (pieces[0] as string) : pieces.join('')
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new StreamError('parse', `Invalid JSON arguments for tool call "${name}": ${excerpt(text)}`, { cause })
  }
}

/** One SSE event as wire text, through the one SSE writer: multi-line data is split, never injected. */
export function sseEvent(data: string, event?: string): string {
  return formatSSE(event === undefined ? { data } : { data, event })
}

export { isObject }

/**
 * The JSON data of each event in a body an encoder wrote, in order: the input of the whole
 * (non-streamed) responses, which are their stream accumulated. Encoders write JSON data on
 * one line (`JSON.stringify` never writes a line break), and `[DONE]` is not JSON.
 */
export function encodedEvents(body: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = []
  for (const line of body.split('\n')) {
    if (line.startsWith('data: ') && line !== 'data: [DONE]') events.push(JSON.parse(line.slice(6)))
  }
  return events
}
