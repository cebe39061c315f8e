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
 * (`prompt_tokens` / `input_tokens`, …), with reasoning tokens and prompt cache counts in
 * details objects (`cache_write_tokens` is the Responses API's).
 */
export function openaiUsagePart(
  usage: Record<string, unknown>,
  input: string,
  output: string,
): Extract<StreamPart, { type: 'usage' }> {
  const part: Extract<StreamPart, { type: 'usage' }> = { type: 'usage' }
  if (isTokenCount(usage[input])) part.inputTokens = usage[input]
  if (isTokenCount(usage[output])) part.outputTokens = usage[output]
  const details = usage[`${output}_details`]
  if (isObject(details) && isTokenCount(details.reasoning_tokens)) part.reasoningTokens = details.reasoning_tokens
  const cache = usage[`${input}_details`]
  if (isObject(cache)) {
    if (isTokenCount(cache.cached_tokens)) part.cachedInputTokens = cache.cached_tokens
    if (isTokenCount(cache.cache_write_tokens)) part.cacheWriteInputTokens = cache.cache_write_tokens
  }
  return part
}

/**
 * A table of a provider's words with no prototype, so a word from the wire such as
 * `constructor` or `__proto__` finds nothing rather than an `Object.prototype` member.
 */
export function wordTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries))
}

/** A count a usage part can carry: `1e400` parses as Infinity, which no count is. */
export function isTokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/**
 * Maps a provider's finish word through `table`; unknown words become `other`, the word kept in `raw`.
 * Only the table's own words count: `constructor` or `__proto__` is a word like any other, not
 * a member of `Object.prototype`.
 */
export function finishPart(raw: string, table: Readonly<Record<string, FinishReason>>): StreamPart {
  const reason = Object.hasOwn(table, raw) ? table[raw] : undefined
  return { type: 'finish', reason: typeof reason === 'string' ? reason : 'other', raw }
}

/** The provider's word for a normalized reason: the part's own `raw`, else the table's first match. */
export function rawFinish(
  part: { reason: FinishReason; raw?: string },
  table: Readonly<Record<string, FinishReason>>,
  fallback: string,
): string {
  if (part.raw !== undefined) return part.raw
  for (const word of Object.keys(table)) if (table[word] === part.reason) return word
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

/**
 * A parsed value as JSON text (arguments some servers send as an object), or kind `parse`:
 * `JSON.stringify` recurses, so a value nested thousands of levels deep overflows the stack.
 */
export function toJSONText(value: unknown, where: string): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch (cause) {
    throw new StreamError('parse', `A value in ${where} is nested too deeply to write as JSON`, { cause })
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
