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
  /** The JSON body for a request. */
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
   * streams, like the demo server). `true` allows 3 attempts per drop.
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
    // The client names a resumable stream, so it can cancel it even before the answer's
    // headers arrive; the server echoes the id (or names its own).
    let location: string | undefined
    if (resumeAttempts > 0) {
      const requestedId = randomId()
      headers.set(RESUMABLE_HEADER, '1')
      headers.set(STREAM_ID_HEADER, requestedId)
      location = streamUrl(options.url, requestedId)
    }
    // Stop means stop: a resumable stream outlives its connection, so cancel it explicitly.
    const cancel = () => {
      if (location) void fetchImpl(location, { method: 'DELETE', headers: authOnly(headers) }).catch(() => {})
    }
    if (location) signal.addEventListener('abort', cancel, { once: true })
    let response: Response
    try {
      response = await send(fetchImpl, options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(options.body(request)),
        signal,
        ...(options.credentials && { credentials: options.credentials }),
      })
    } catch (error) {
      signal.removeEventListener('abort', cancel)
      throw error
    }
    const streamId = location ? response.headers.get(STREAM_ID_HEADER) : null
    if (location) location = streamId ? streamUrl(options.url, streamId) : undefined
    const resumeAt = location
    let attempts = 0
    const reconnect = async ({ lastEventId }: { lastEventId: string }): Promise<Response | undefined> => {
      if (resumeAt === undefined) return undefined
      while (attempts < resumeAttempts) {
        await sleep(RESUME_BACKOFF_MS[attempts++] ?? 1000, signal)
        const init = {
          headers: { ...authOnly(headers), 'last-event-id': lastEventId, accept: 'text/event-stream' },
          signal,
        }
        const resumed = await send(fetchImpl, resumeAt, init).catch((error: unknown) => {
          if (signal.aborted) throw error
          return undefined // the server may be restarting: try again
        })
        if (resumed?.ok) return resumed
        // A stream the server no longer has cannot be resumed: fail with the drop.
        if (resumed && resumed.status >= 400 && resumed.status < 500) return undefined
      }
      return undefined
    }
    try {
      yield* decodeWith(response, decoderFor(response), {
        signal,
        lenient: options.lenient,
        onMalformed: options.onMalformed,
        maxEventSize: options.maxEventSize,
        onActivity: request.onActivity,
        reconnect: resumeAt === undefined ? undefined : reconnect,
      })
    } finally {
      signal.removeEventListener('abort', cancel)
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

/** The headers that identify the caller, for the resume and cancel requests. */
function authOnly(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    if (name === 'authorization' || name.startsWith('x-') || name.endsWith('-key')) out[name] = value
  })
  return out
}
