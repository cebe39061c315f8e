import { aiSdkStreamHeaders, contentTypeOf, createEncoder, errorBody, type Protocol, statusTextOf } from '@rivulet/core'
import { isToken, type StreamScript, scriptParts } from './script.js'

/**
 * How fast the mocked model answers. Delays are `setTimeout`s inside the stream, so
 * `vi.useFakeTimers()` / `jest.useFakeTimers()` control them; nothing reads the wall clock.
 */
export interface StreamTiming {
  /** Time to first token: from the response to the first reasoning or text token. Default 0. */
  ttftMs?: number
  /** Pace after the first token. 0 or undefined: every token at once. */
  tokensPerSecond?: number
  /** 0..1: each delay varies by up to this fraction, drawn from a PRNG seeded with `seed`. Default 0. */
  jitter?: number
  /** Seed for jitter and random chunk sizes; the same seed gives the same stream. Default 1. */
  seed?: number
  /**
   * Re-cut the bytes into chunks of this many bytes, or of a size drawn from `[min, max]`, so
   * SSE lines, JSON and multi-byte characters arrive split as they do over a real network.
   * Bytes written together (no delay between them) are cut as one run. Default: one chunk per event.
   */
  chunkBytes?: number | readonly [min: number, max: number]
}

/**
 * Something going wrong after the response started. `afterTokens` (default 0) counts the tokens
 * streamed before it: reasoning, text and tool-call argument pieces. The fault takes the place of
 * the next token, after that token's delay; past the last token it comes before usage and finish.
 */
export type StreamFault =
  /** The connection dies: the body errors with `TypeError('network error')`, as fetch reports it. */
  | { type: 'drop'; afterTokens?: number }
  /** No bytes for `ms`, then the stream goes on as if nothing happened. */
  | { type: 'stall'; afterTokens?: number; ms: number }
  /** The provider's in-band error event (Anthropic `error`, an OpenAI chunk with `error`, …), then the end. */
  | { type: 'provider-error'; afterTokens?: number; message?: string; code?: string }
  /** One event of invalid JSON in the protocol's framing (SSE `data:` or an NDJSON line), then the rest. */
  | { type: 'malformed'; afterTokens?: number }

/** The request fails before any streaming: a non-2xx response with the provider's error body. */
export interface HttpFault {
  type: 'http'
  status: number
  /** e.g. `{ 'retry-after': '2' }` or `{ 'retry-after-ms': '1500' }`. */
  headers?: HeadersInit
  /** Replaces the default message in the provider's error JSON. */
  message?: string
  /** Replaces the whole body: a string as is, anything else as JSON. */
  body?: unknown
}

export type Fault = StreamFault | HttpFault

/** How a mocked body ended, and how many tokens it had streamed by then. */
export interface StreamOutcome {
  end: 'complete' | 'aborted' | 'drop' | 'provider-error' | 'http'
  tokens: number
}

type Ending = 'complete' | 'drop' | 'provider-error'

export interface StreamBodyOptions {
  timing?: StreamTiming
  fault?: StreamFault
  /** Protocol `text` only: SSE `data:` events instead of a plain body. */
  sse?: boolean
  /** Stops producing when it aborts (pass the request's signal); the body errors with its reason. */
  signal?: AbortSignal
  /** Called once, when the body stops for any reason. */
  onEnd?(outcome: StreamOutcome): void
}

export interface StreamResponseOptions extends Omit<StreamBodyOptions, 'fault'> {
  fault?: Fault
  /** Extra response headers, over the protocol's own. */
  headers?: HeadersInit
}

const utf8 = new TextEncoder()

/**
 * The body a provider streams for `script`, in `protocol`'s wire format (written by
 * `@rivulet/core`'s encoders), paced by `timing` and broken by `fault`. Works anywhere a
 * `ReadableStream` does; no MSW needed.
 *
 * The stream is pulled: the producer waits for the reader (a slow reader slows it, as TCP
 * backpressure does), and a cancelled body or an aborted `signal` stops it at once.
 *
 * @example
 * const body = streamBody('openai-chat', { text: 'Hello!' }, { timing: { ttftMs: 300, tokensPerSecond: 40 } })
 * for await (const part of decode(body, { protocol: 'openai-chat' })) console.log(part)
 */
export function streamBody(
  protocol: Protocol,
  script: StreamScript = {},
  options: StreamBodyOptions = {},
): ReadableStream<Uint8Array> {
  const { signal, onEnd } = options
  const fault = checkFault(protocol, options.fault as Fault | undefined, options.sse)
  const timing = checkTiming(options.timing ?? {})
  // Made up front, so a script or option the encoder cannot take throws here, not mid-stream.
  const parts = scriptParts(script)
  const encoder = createEncoder({ protocol, id: script.id, model: script.model, sse: options.sse })
  const stop = new AbortController()
  let tokens = 0
  let ended = false
  const end = (how: StreamOutcome['end']) => {
    if (ended) return
    ended = true
    stop.abort()
    signal?.removeEventListener('abort', onAbort)
    onEnd?.({ end: how, tokens })
  }
  let abortBody: (() => void) | undefined
  const onAbort = () => abortBody?.()

  /**
   * The body as bursts: the chunks written together, between two pauses. The last burst is
   * returned with how the stream ends, so the end is known the moment its last bytes are queued.
   */
  const produce = async function* (): AsyncGenerator<Uint8Array[], { end: Ending; last: Uint8Array[] }> {
    const pace = pacer(timing)
    const cut = chunker(timing)
    // Wire text written since the last pause; it goes out when the stream next waits or ends.
    let pending: string[] = []
    const flush = () => {
      const burst = cut(pending)
      pending = []
      return burst
    }
    const pause = async function* (ms: number) {
      if (ms <= 0) return
      const burst = flush()
      if (burst.length > 0) yield burst
      await sleep(ms, stop.signal)
    }

    const faultAt = fault === undefined ? -1 : faultIndex(parts, fault.afterTokens ?? 0)
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index]!
      if (index === faultAt && fault !== undefined) {
        yield* pause(pace(tokens))
        switch (fault.type) {
          case 'drop':
            return { end: 'drop', last: flush() }
          case 'provider-error':
            pending.push(encoder.error({ message: fault.message ?? 'Overloaded', code: fault.code }))
            return { end: 'provider-error', last: flush() }
          case 'stall':
            yield* pause(fault.ms)
            break
          case 'malformed':
            pending.push(malformedEvent(protocol))
            break
        }
      } else if (isToken(part)) {
        yield* pause(pace(tokens))
      }
      pending.push(encoder.push(part))
      if (isToken(part)) tokens++
    }
    pending.push(encoder.end())
    return { end: 'complete', last: flush() }
  }

  const bursts = produce()
  let dropped = false
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        abortBody = () => {
          if (ended) return
          end('aborted')
          controller.error(signal?.reason)
        }
        if (signal?.aborted) abortBody()
        else signal?.addEventListener('abort', onAbort, { once: true })
      },
      async pull(controller) {
        // Pulled only when the reader has taken every queued byte: the drop comes after all of them.
        if (dropped) return controller.error(new TypeError('network error'))
        let next: IteratorResult<Uint8Array[], { end: Ending; last: Uint8Array[] }>
        try {
          next = await bursts.next()
        } catch (error) {
          if (ended) return // stopped while waiting: the reader is gone
          end('drop')
          controller.error(error)
          return
        }
        if (ended) return
        const chunks = next.done ? next.value.last : next.value
        for (const chunk of chunks) controller.enqueue(chunk)
        if (!next.done) return
        end(next.value.end)
        if (next.value.end !== 'drop') controller.close()
        else if (chunks.length > 0) dropped = true
        else controller.error(new TypeError('network error'))
      },
      cancel() {
        end('aborted')
      },
    },
    // Pulled only while a read waits: nothing is produced ahead of the reader.
    { highWaterMark: 0 },
  )
}

/**
 * A `Response` as the provider sends it: status 200, the protocol's content type (and the AI SDK's
 * own headers), `cache-control: no-cache`, and `streamBody` as the body. With an `http` fault, the
 * provider's error response instead. Return it from any mock: MSW, a fetch stub, a Service Worker.
 *
 * @example
 * globalThis.fetch = async () => streamResponse('anthropic', { text: 'Hi there!' })
 * const failed = streamResponse('openai-chat', {}, { fault: { type: 'http', status: 429, headers: { 'retry-after': '1' } } })
 */
export function streamResponse(
  protocol: Protocol,
  script: StreamScript = {},
  options: StreamResponseOptions = {},
): Response {
  const { fault } = options
  if (fault?.type === 'http') {
    const own = errorBody(protocol, fault.status, { message: fault.message })
    let body = own.body
    let contentType = own.contentType
    if (fault.body !== undefined) {
      body = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body)
      contentType = typeof fault.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'
    }
    const headers = withHeaders({ 'content-type': contentType }, fault.headers)
    const response = new Response(body, { status: fault.status, statusText: statusTextOf(fault.status), headers })
    options.onEnd?.({ end: 'http', tokens: 0 })
    return response
  }
  const own =
    protocol === 'ai-sdk'
      ? aiSdkStreamHeaders
      : { 'content-type': contentTypeOf(protocol, { sse: options.sse }), 'cache-control': 'no-cache' }
  const body = streamBody(protocol, script, { ...options, fault })
  return new Response(body, { status: 200, headers: withHeaders(own, options.headers) })
}

function withHeaders(own: Record<string, string>, extra: HeadersInit | undefined): Headers {
  const headers = new Headers(own)
  if (extra === undefined) return headers
  new Headers(extra).forEach((value, name) => {
    headers.set(name, value)
  })
  return headers
}

function checkFault(protocol: Protocol, fault: Fault | undefined, sse: boolean | undefined): StreamFault | undefined {
  if (fault === undefined) return undefined
  if (fault.type === 'http') throw new TypeError('An http fault needs a response: use streamResponse or a handler')
  if (fault.afterTokens !== undefined && !(fault.afterTokens >= 0)) {
    throw new RangeError(`afterTokens must be 0 or more, got ${fault.afterTokens}`)
  }
  if (protocol === 'text' && fault.type === 'malformed') {
    throw new TypeError('Protocol text carries no JSON: a malformed event does not exist there')
  }
  if (protocol === 'text' && fault.type === 'provider-error' && !sse) {
    throw new TypeError('A plain text body has no error event: use { sse: true } for a provider error')
  }
  return fault
}

function checkTiming(timing: StreamTiming): StreamTiming {
  const { jitter = 0, chunkBytes } = timing
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be within 0..1, got ${jitter}`)
  const sizes = typeof chunkBytes === 'number' ? [chunkBytes, chunkBytes] : (chunkBytes ?? [1, 1])
  const [min = 1, max = 1] = sizes
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max >= min)) {
    throw new RangeError(`chunkBytes must be a whole number of bytes ≥ 1, or [min, max] with min ≤ max`)
  }
  return timing
}

/** Where in `parts` the fault goes: in place of token `afterTokens`, or before the closing usage and finish. */
function faultIndex(parts: readonly { type: string }[], afterTokens: number): number {
  let seen = 0
  for (let index = 0; index < parts.length; index++) {
    if (!isToken(parts[index] as never)) continue
    if (seen === afterTokens) return index
    seen++
  }
  let index = parts.length
  while (index > 0 && (parts[index - 1]?.type === 'usage' || parts[index - 1]?.type === 'finish')) index--
  return index
}

/**
 * The delay before each token: `ttftMs` before the first, `1000 / tokensPerSecond` after, each
 * varied by jitter. Delays are rounded on the running total, so N tokens take exactly as long as
 * the rate says (no drift from rounding each one).
 */
function pacer(timing: StreamTiming): (tokensSoFar: number) => number {
  const { ttftMs = 0, tokensPerSecond = 0, jitter = 0, seed = 1 } = timing
  const random = seededRandom(seed)
  const vary = (ms: number) => (jitter === 0 ? ms : ms * (1 + jitter * (2 * random() - 1)))
  let planned = 0
  let waited = 0
  return (tokensSoFar) => {
    planned += vary(tokensSoFar === 0 ? ttftMs : tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0)
    const ms = Math.max(0, Math.round(planned) - waited)
    waited += ms
    return ms
  }
}

/** Turns the wire text written together into byte chunks: one per write, or re-cut to `chunkBytes`. */
function chunker(timing: StreamTiming): (texts: readonly string[]) => Uint8Array[] {
  const { chunkBytes, seed = 1 } = timing
  if (chunkBytes === undefined) {
    return (texts) => texts.filter((text) => text !== '').map((text) => utf8.encode(text))
  }
  // A stream of its own, so changing chunk sizes leaves the jitter of a given seed alone.
  const random = seededRandom(seed ^ 0x5bd1e995)
  const [min, max] = typeof chunkBytes === 'number' ? [chunkBytes, chunkBytes] : chunkBytes
  return (texts) => {
    const bytes = utf8.encode(texts.join(''))
    const chunks: Uint8Array[] = []
    for (let start = 0; start < bytes.length; ) {
      const size = min + Math.floor(random() * (max - min + 1))
      chunks.push(bytes.slice(start, start + size))
      start += size
    }
    return chunks
  }
}

/** A JSON object cut off midway, as a truncated write or a broken proxy leaves it, in the protocol's framing. */
function malformedEvent(protocol: Protocol): string {
  const json = '{"type":"malformed","text":"this event was cut o'
  return contentTypeOf(protocol).startsWith('application/x-ndjson') ? `${json}\n` : `data: ${json}\n\n`
}

/** mulberry32: tiny, fast and good enough to vary delays repeatably. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A `setTimeout` that ends early, rejecting, when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
