/**
 * Relaying to a real OpenAI-compatible server (`RIVULET_UPSTREAM_URL`) for models other than
 * the simulated one. Streams pass through event by event as they arrive (never buffered whole),
 * get this server's event ids (so they resume like simulated ones), and the upstream request
 * is aborted the moment the stream stops here.
 */
import { decode, formatSSE, readSSE } from '@rivulet/core'
import type { ServerContext, UpstreamOptions } from './context.js'
import { errorResponse } from './errors.js'
import { type AppContext, clientOfRequest, streamSse, takeSlot } from './generate.js'
import type { RunSink, RunSource } from './streams/run.js'
import { sseWire, type wsWire } from './streams/wire.js'

/** Response headers worth passing on from the upstream (its rate-limit advice, its request id). */
const PASSED_HEADERS = ['content-type', 'retry-after', 'retry-after-ms', 'x-request-id']

export function upstreamRequest(upstream: UpstreamOptions, body: Record<string, unknown>, signal: AbortSignal) {
  const { rivulet: _, ...rest } = body
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  headers.accept = rest.stream === true ? 'text/event-stream' : 'application/json'
  if (upstream.apiKey) headers.authorization = `Bearer ${upstream.apiKey}`
  const fetchImpl = upstream.fetch ?? globalThis.fetch
  return fetchImpl(`${upstream.url.replace(/\/+$/, '')}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify(rest),
    signal,
  })
}

export async function relayChat(
  c: AppContext,
  ctx: ServerContext,
  body: Record<string, unknown>,
  options: { resumable: boolean; requestedId: string | undefined },
): Promise<Response> {
  const upstream = ctx.upstream as UpstreamOptions
  const slot = takeSlot(ctx, clientOfRequest(c))
  if (!slot.ok) return errorResponse('openai', slot.error)
  const controller = new AbortController()
  const requestSignal = c.req.raw.signal
  const abortUpstream = () => controller.abort()
  requestSignal.addEventListener('abort', abortUpstream, { once: true })
  let response: Response
  try {
    response = await upstreamRequest(upstream, body, controller.signal)
  } catch (error) {
    slot.release()
    requestSignal.removeEventListener('abort', abortUpstream)
    if (controller.signal.aborted) return new Response(null, { status: 499 })
    ctx.logger?.error('upstream request failed', error)
    return errorResponse('openai', {
      status: 502,
      message: 'The upstream server could not be reached',
      code: 'upstream_unreachable',
    })
  }
  const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream')
  if (!response.ok || !isStream || body.stream !== true) {
    // Errors and whole answers are small: read them, release the slot, answer with them as they are.
    try {
      const text = await response.text()
      const headers = new Headers()
      for (const name of PASSED_HEADERS) {
        const value = response.headers.get(name)
        if (value !== null) headers.set(name, value)
      }
      return new Response(text, { status: response.status, headers })
    } catch {
      return errorResponse('openai', {
        status: 502,
        message: 'The upstream server dropped the answer',
        code: 'upstream_error',
      })
    } finally {
      slot.release()
      requestSignal.removeEventListener('abort', abortUpstream)
    }
  }
  // From here the run owns the upstream request: a resumable stream outlives this connection.
  requestSignal.removeEventListener('abort', abortUpstream)
  const wire = sseWire({
    protocol: 'openai-chat',
    id: 'chatcmpl-relay',
    model: String(body.model),
    includeUsage: false,
    created: 0,
  })
  return streamSse(c, ctx, {
    flavor: 'openai',
    format: 'openai-chat',
    resumable: options.resumable,
    requestedId: options.requestedId,
    release: slot.release,
    wire,
    source: (sink) => {
      sink.signal.addEventListener('abort', () => controller.abort(), { once: true })
      return relayEvents(response, sink)
    },
  })
}

/** The upstream's SSE events, re-framed one by one (so each gets an id), counting tokens as they pass. */
async function relayEvents(response: Response, sink: RunSink): Promise<void> {
  for await (const event of readSSE(response, { signal: sink.signal })) {
    // A slow reader slows the relay down: the upstream's bytes wait in its socket, not here.
    const reader = sink.waitForReader()
    if (reader !== undefined) await reader
    if (carriesToken(event.data)) sink.countToken()
    sink.event(formatSSE(event.event === undefined ? { data: event.data } : { data: event.data, event: event.event }))
  }
}

function carriesToken(data: string): boolean {
  if (!data.startsWith('{')) return false
  try {
    const chunk = JSON.parse(data) as { choices?: { delta?: Record<string, unknown> }[] }
    const delta = chunk.choices?.[0]?.delta
    return (
      delta !== undefined &&
      ((typeof delta.content === 'string' && delta.content !== '') ||
        typeof delta.reasoning_content === 'string' ||
        typeof delta.reasoning === 'string' ||
        Array.isArray(delta.tool_calls))
    )
  } catch {
    return false
  }
}

/** An upstream stream for the WebSocket: requested as a stream, decoded by core into parts, written as frames. */
export function relayedSource(
  ctx: ServerContext,
  body: Record<string, unknown>,
  wire: ReturnType<typeof wsWire>,
): RunSource {
  return async (sink) => {
    const upstream = ctx.upstream as UpstreamOptions
    const response = await upstreamRequest(
      upstream,
      { ...body, stream: true, stream_options: { include_usage: true } },
      sink.signal,
    )
    for await (const part of decode(response, { protocol: 'openai-chat', signal: sink.signal })) {
      const reader = sink.waitForReader()
      if (reader !== undefined) await reader
      if (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta')
        sink.countToken()
      wire.part(part, sink)
    }
  }
}
