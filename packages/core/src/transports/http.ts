import { createDecoder } from '../decode.js'
import { type DecodeStreamOptions, decodeWith } from '../decode-stream.js'
import { StreamError } from '../errors.js'
import { abortError } from '../framing/source.js'
import { randomId } from '../id.js'
import { sleep } from '../pipeline/rate-limit.js'
import type { ProtocolDecoder } from '../protocols/protocol.js'
import type { Protocol } from '../types.js'
import { RESUMABLE_HEADER, STREAM_ID_HEADER, streamUrl, type Transport, type TransportRequest } from './transport.js'

export type HeadersSource = HeadersInit | (() => HeadersInit | Promise<HeadersInit>)

export interface HttpTransportOptions extends Pick<DecodeStreamOptions, 'lenient' | 'onMalformed' | 'maxEventSize'> {
  url: string | URL
  protocol: Protocol
  /**
   * The JSON body for a request, or a promise of it (files to read first). It is built before
   * anything is sent, so an error it throws fails the request without a request made.
   */
  body(request: TransportRequest): unknown
  /** Extra headers, or a function that returns them per request (fresh tokens). */
  headers?: HeadersSource
  /** A custom fetch (a proxy, a test double, MSW in a worker…). Default: the global fetch at call time. */
  fetch?: typeof fetch
  credentials?: RequestCredentials
  /** Expected output size (the request's max tokens), for progress. */
  maxTokens?: number
  /**
   * Resume a dropped stream where it stopped (servers that implement Rivulet's resumable
   * streams, like the demo server). `true` allows 3 attempts per drop: the count starts again
   * once a resumed connection delivers an event with a new id. However a resumable stream ends
   * on the client short of its own end (an error, a drop that cannot be resumed, abort, `break`),
   * the server is sent `DELETE` on the stream's URL, once.
   */
  resume?: boolean | { attempts?: number }
}

const RESUME_BACKOFF_MS = [0, 250, 1000]

/**
 * A transport that POSTs JSON and decodes the streamed answer in any protocol.
 *
 * @example
 * const transport = httpTransport({
 *   url: '/api/chat',
 *   protocol: 'openai-chat',
 *   body: ({ messages }) => ({ model: 'gpt-4o-mini', stream: true, messages }),
 * })
 */
export function httpTransport(options: HttpTransportOptions): Transport {
  return streamingHttpTransport(options, (response) => createDecoder(options.protocol, response))
}

/**
 * The HTTP transport with the decoder chosen by the caller: presets pass their own format's
 * decoder, so an app bundles only the wire formats it talks.
 */
export function streamingHttpTransport(
  options: HttpTransportOptions,
  decoderFor: (response: Response) => ProtocolDecoder,
): Transport {
  const resumeAttempts = options.resume ? (options.resume === true ? 3 : (options.resume.attempts ?? 3)) : 0
  const transport: Transport = async function* (request) {
    const { signal } = request
    const fetchImpl = options.fetch ?? globalThis.fetch
    const headers = new Headers(typeof options.headers === 'function' ? await options.headers() : options.headers)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    if (!headers.has('accept'))
      headers.set('accept', options.protocol === 'ollama' ? 'application/x-ndjson' : 'text/event-stream')
    const body = JSON.stringify(await options.body(request))
    const credentials = options.credentials && { credentials: options.credentials }
    // The client names a resumable stream, so it can cancel it even before the answer's
    // headers arrive; the server echoes the id (or names its own).
    let location: string | undefined
    if (resumeAttempts > 0) {
      const requestedId = randomId()
      headers.set(RESUMABLE_HEADER, '1')
      headers.set(STREAM_ID_HEADER, requestedId)
      location = streamUrl(options.url, requestedId)
    }
    // A resumable stream outlives its connection: however it ends here short of its own end (an
    // error, a drop that cannot be resumed, abort, a consumer's break), the server is told to stop,
    // once. Abort cancels at once, even while the consumer is busy with a part.
    let settled = false
    const cancel = () => {
      if (settled) return
      settled = true
      if (location !== undefined) cancelStream(fetchImpl, location, { headers: authOnly(headers), ...credentials })
    }
    if (location) signal.addEventListener('abort', cancel, { once: true })
    try {
      const response = await send(fetchImpl, options.url, { method: 'POST', headers, body, signal, ...credentials })
      if (location) {
        // Only an answer that names its stream started one: a refusal (4xx/5xx) or a server
        // without resumable streams leaves nothing to resume or cancel.
        const streamId = response.ok ? response.headers.get(STREAM_ID_HEADER) : null
        location = streamId ? streamUrl(options.url, streamId) : undefined
      }
      const resumeAt = location
      // The budget is per drop: it starts again once a resumed connection has delivered an event
      // with a new id. A server that accepts resumes but sends nothing new still runs it out.
      let attempts = 0
      let resumedFrom: string | undefined
      const reconnect = async ({ lastEventId }: { lastEventId: string }): Promise<Response | undefined> => {
        if (resumeAt === undefined) return undefined
        if (lastEventId !== resumedFrom) attempts = 0
        resumedFrom = lastEventId
        while (attempts < resumeAttempts) {
          await sleep(RESUME_BACKOFF_MS[attempts++] ?? 1000, signal)
          const init = {
            headers: { ...authOnly(headers), 'last-event-id': lastEventId, accept: 'text/event-stream' },
            signal,
            ...credentials,
          }
          const resumed = await send(fetchImpl, resumeAt, init).catch((error: unknown) => {
            if (signal.aborted) throw error
            return undefined // the server may be restarting: try again
          })
          if (resumed?.ok) return resumed
          void resumed?.body?.cancel().catch(() => {})
          // A stream the server no longer has cannot be resumed: fail with the drop.
          if (resumed && resumed.status >= 400 && resumed.status < 500) return undefined
        }
        return undefined
      }
      yield* decodeWith(response, decoderFor(response), {
        signal,
        lenient: options.lenient,
        onMalformed: options.onMalformed,
        maxEventSize: options.maxEventSize,
        onActivity: request.onActivity,
        reconnect: resumeAt === undefined ? undefined : reconnect,
      })
      settled = true // the stream reached its own end: nothing left to stop
    } finally {
      signal.removeEventListener('abort', cancel)
      cancel()
    }
  }
  if (options.maxTokens !== undefined) transport.maxTokens = options.maxTokens
  return transport
}

/** fetch, with its failures as `StreamError`s. A non-2xx answer is thrown as kind `http` by decode. */
async function send(fetchImpl: typeof fetch, url: string | URL, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init)
  } catch (error) {
    if (init.signal?.aborted) throw abortError(init.signal)
    throw new StreamError('network', `The request failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
}

/**
 * `DELETE` on the stream's URL, fire and forget: the stream has already ended for the caller, so
 * a cancel that fails (offline, a fetch that throws) is dropped rather than thrown over the
 * error that ended it.
 */
function cancelStream(fetchImpl: typeof fetch, location: string, init: RequestInit): void {
  try {
    fetchImpl(location, { ...init, method: 'DELETE' }).then(
      (response) => void response.body?.cancel().catch(() => {}),
      () => {},
    )
  } catch {
    // A fetch that throws instead of rejecting.
  }
}

/** The headers that identify the caller, for the resume and cancel requests. */
function authOnly(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    if (name === 'authorization' || name.startsWith('x-') || name.endsWith('-key')) out[name] = value
  })
  return out
}
