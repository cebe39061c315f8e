/**
 * Running a generation for an HTTP request: the stream (SSE, resumable or not) or the whole
 * answer as JSON, with the slot, the stats, the faults and the client's departure handled the
 * same way for every endpoint.
 */
import { randomUUID } from 'node:crypto'
import type { HttpBindings } from '@hono/node-server'
import { STREAM_ID_HEADER, type StreamPart } from '@rivulet/core'
import { type Follower, MemoryLog, type StreamFormat, type Subscription } from '@rivulet/server'
import type { Context } from 'hono'
import type { ServerContext } from './context.js'
import { type ApiError, type ErrorFlavor, errorResponse } from './errors.js'
import { type AnswerPlan, playAnswer, type SimEvent } from './sim/model.js'
import { type RequestSimulation, simulationSchema } from './sim/options.js'
import { type RunSink, type RunSource, type RunTarget, StreamRun } from './streams/run.js'
import { sseBody, sseHeaders } from './streams/sse.js'
import type { Wire } from './streams/wire.js'
import { isSaneId, nestsDeeperThan, tooDeep, validate } from './validation.js'

export type AppEnv = {
  Bindings: HttpBindings
  Variables: {
    /** Resolves with the tokens generated once a streamed body has ended: the request log waits for it. */
    streamClosed: Promise<number>
    tokens: number
  }
}
export type AppContext = Context<AppEnv>

export const SIM_HEADER = 'x-rivulet-sim'

/** `x-rivulet-sim` (JSON) under the body's `rivulet` field: the body wins field by field. */
export function requestSimulation(
  c: AppContext,
  fromBody: RequestSimulation | undefined,
): { ok: true; value: RequestSimulation } | { ok: false; error: ApiError } {
  const header = c.req.header(SIM_HEADER)
  let fromHeader: RequestSimulation = {}
  if (header !== undefined && header.trim() !== '') {
    let json: unknown
    try {
      json = JSON.parse(header)
    } catch {
      return {
        ok: false,
        error: { status: 400, message: `${SIM_HEADER} header: is not valid JSON`, param: SIM_HEADER },
      }
    }
    if (nestsDeeperThan(json)) return { ok: false, error: { ...tooDeep(`${SIM_HEADER} header`), param: SIM_HEADER } }
    const parsed = validate(simulationSchema, json, `${SIM_HEADER} header: `)
    if (!parsed.ok) return parsed
    fromHeader = parsed.value
  }
  return { ok: true, value: { ...fromHeader, ...fromBody } }
}

/** The simulated `http` fault: the error a provider under pressure answers with. */
export function httpFault(simulation: RequestSimulation): ApiError | undefined {
  const fault = simulation.fault
  if (fault?.type !== 'http') return undefined
  const messages: Record<number, string> = {
    429: 'Rate limit reached for requests (simulated http fault)',
    500: 'The server had an error while processing your request (simulated http fault)',
    503: 'The service is temporarily unavailable (simulated http fault)',
    529: 'Overloaded (simulated http fault)',
  }
  const retryAfterS = fault.retryAfterS ?? (fault.status === 500 ? undefined : 1)
  return {
    status: fault.status,
    message: messages[fault.status] as string,
    code: fault.status === 429 ? 'rate_limit_exceeded' : fault.status === 529 ? 'overloaded' : 'server_error',
    ...(retryAfterS !== undefined && { retryAfterS }),
  }
}

/** The client a request's slots count against: its IP address. */
export function clientOfRequest(c: AppContext): string {
  return c.env?.incoming?.socket.remoteAddress ?? 'unknown'
}

/**
 * How long a simulated answer takes at its requested pace (no jitter): the TTFT, a delay per
 * token after the first, and a stall. One the server would cut off for running too long is
 * refused up front (400), so a very slow stream cannot sit in a slot until its time limit.
 */
export function checkPace(ctx: ServerContext, plan: AnswerPlan, simulation: RequestSimulation): ApiError | undefined {
  const ttftMs = simulation.ttftMs ?? ctx.simulation.ttftMs
  const tokensPerSecond = simulation.tokensPerSecond ?? ctx.simulation.tokensPerSecond
  const stallMs = simulation.fault?.type === 'stall' ? simulation.fault.ms : 0
  const paceMs = tokensPerSecond > 0 ? (Math.max(0, plan.outputTokens - 1) * 1000) / tokensPerSecond : 0
  const plannedMs = ttftMs + paceMs + stallMs
  const maxMs = ctx.limits.maxStreamDurationMs
  if (plannedMs <= maxMs) return undefined
  return {
    status: 400,
    message: `rivulet: this answer would take ${Math.ceil(plannedMs / 1000)} s at that pace; streams may take at most ${Math.floor(maxMs / 1000)} s (raise tokensPerSecond or lower tokens)`,
    param: 'rivulet.tokensPerSecond',
    code: 'stream_too_slow',
  }
}

/** A slot for one more generation of `client`, or the 429 to answer with. */
export function takeSlot(
  ctx: ServerContext,
  client: string,
): { ok: true; release: () => void } | { ok: false; error: ApiError } {
  if (ctx.closing) return { ok: false, error: { status: 503, message: 'The server is shutting down', retryAfterS: 1 } }
  const release = ctx.slots.acquire(client)
  if (typeof release === 'function') return { ok: true, release }
  if (release === 'client')
    return {
      ok: false,
      error: {
        status: 429,
        message: `Too many concurrent streams from this client (the limit is ${ctx.limits.maxStreamsPerClient}); retry once one has ended`,
        code: 'too_many_streams',
        retryAfterS: 1,
      },
    }
  return {
    ok: false,
    error: {
      status: 429,
      message: `Too many concurrent streams (the limit is ${ctx.limits.maxConcurrentStreams}); retry shortly`,
      code: 'too_many_streams',
      retryAfterS: 1,
    },
  }
}

/** Starts a run registered with the server: counted, stoppable on shutdown, its slot released when it ends. */
export function startRun(
  ctx: ServerContext,
  options: {
    id: string
    target: RunTarget
    wire: Pick<Wire, 'fail'>
    transport: 'sse' | 'ws' | 'json'
    release: () => void
    source: RunSource
    /** The reader stalled past `readerStallMs`: cut its connection. */
    onStalled?(): void
  },
): StreamRun {
  const run = new StreamRun({
    id: options.id,
    target: options.target,
    fail: options.wire.fail,
    maxDurationMs: ctx.limits.maxStreamDurationMs,
    readerStallMs: ctx.limits.readerStallMs,
    ...(options.onStalled && { onStalled: options.onStalled }),
    onToken: () => ctx.stats.tokensGenerated++,
    onEnd: (ended) => {
      ctx.runs.delete(ended)
      options.release()
      const endedAt = ended.endedAt ?? performance.now()
      try {
        ctx.onStreamEnd?.({
          id: ended.id,
          transport: options.transport,
          outcome: ended.outcome ?? 'finished',
          tokens: ended.tokens,
          durationMs: endedAt - ended.startedAt,
          endedAt,
        })
      } catch (error) {
        ctx.logger?.error('onStreamEnd threw', error)
      }
    },
  })
  ctx.runs.add(run)
  ctx.stats.streamsStarted++
  return run.start(options.source)
}

/** The simulated model as a run's source: the plan played out, written through the wire. */
export function simulatedSource(
  ctx: ServerContext,
  plan: AnswerPlan,
  simulation: RequestSimulation,
  meta: { messageId: string; model: string },
  wire: Wire,
): RunSource {
  return (sink: RunSink) =>
    playAnswer(plan, {
      simulation,
      defaults: ctx.simulation,
      messageId: meta.messageId,
      model: meta.model,
      signal: sink.signal,
      emit: (event) => wire.write(event, sink),
      onToken: () => sink.countToken(),
      waitForReader: () => sink.waitForReader(),
    })
}

export interface SseStreamOptions {
  flavor: ErrorFlavor
  format: Exclude<StreamFormat, 'ws'>
  resumable: boolean
  /** The id the client asked for (`x-rivulet-stream-id`), used when sane and free. */
  requestedId: string | undefined
  release: () => void
  wire: Wire
  source: RunSource
}

/**
 * Answers with an event stream. A resumable stream lives in the store under its id (sent back
 * in `x-rivulet-stream-id`) and keeps running when this connection goes; any other stream
 * stops as soon as its connection closes.
 */
export async function streamSse(c: AppContext, ctx: ServerContext, options: SseStreamOptions): Promise<Response> {
  const { store } = ctx
  let id = isSaneId(options.requestedId) ? options.requestedId : randomUUID()
  let target: RunTarget
  let follow: (follower: Follower) => Subscription | undefined
  if (options.resumable) {
    let created = await store.create(id, options.format)
    if (created === 'exists' && id === options.requestedId) {
      id = randomUUID()
      created = await store.create(id, options.format)
    }
    if (created !== 'created') {
      options.release()
      return errorResponse(
        options.flavor,
        created === 'cancelled'
          ? { status: 409, message: `Stream ${id} was cancelled before it started`, code: 'stream_cancelled' }
          : { status: 429, message: 'Too many resumable streams held; retry shortly', retryAfterS: 1 },
      )
    }
    target = { append: (data) => store.append(id, data), end: () => store.end(id) }
    follow = (follower) => store.follow(id, 0, follower)
  } else {
    const log = new MemoryLog()
    target = log
    // One reader, which lets each event go once written.
    follow = (follower) => log.follow(0, follower, true)
  }

  const run = startRun(ctx, {
    id,
    target,
    wire: options.wire,
    transport: 'sse',
    release: options.release,
    source: options.source,
    // At once: a graceful close would wait for the very writes the client is not taking.
    onStalled: () => c.env?.incoming?.socket.destroy(),
  })
  if (options.resumable) {
    const off = store.onCancel(id, () => run.stop('cancelled'))
    void run.ended.then(off)
  }

  const gone = () => {
    if (!options.resumable) run.stop('client-gone')
  }
  const requestSignal = c.req.raw.signal
  if (requestSignal.aborted) gone()
  else requestSignal.addEventListener('abort', gone, { once: true })

  let closed!: () => void
  c.set(
    'streamClosed',
    new Promise<void>((resolve) => (closed = resolve)).then(() => run.tokens),
  )
  const body = sseBody(follow, {
    origin: run,
    keepaliveMs: ctx.keepaliveMs,
    drop: () => dropStreamConnection(c),
    onClose: (why) => {
      if (why === 'cancel') gone()
      requestSignal.removeEventListener('abort', gone)
      closed()
    },
  })
  const headers = sseHeaders(options.resumable ? { [STREAM_ID_HEADER]: id } : {})
  // Said up front, a chunked body makes the Node adapter send the headers at once instead of
  // first waiting for a few chunks to see whether a length would do (HTTP/1.0 knows no chunks).
  if (c.env?.incoming?.httpVersion !== '1.0') headers['transfer-encoding'] = 'chunked'
  return new Response(body, { status: 200, headers })
}

/**
 * Cuts the connection under the response: the client sees its body end without the protocol's
 * end (a network error), after whatever was already written.
 */
export function dropConnection(c: AppContext): void {
  const socket = c.env?.incoming?.socket
  if (socket) socket.destroySoon()
}

/** `dropConnection` once the headers and the body so far are written (a bounded wait): a stream's drop fault. */
export function dropStreamConnection(c: AppContext): void {
  const socket = c.env?.incoming?.socket
  const response = c.env?.outgoing
  if (!socket) return
  let tries = 0
  const cut = () => {
    const writing = response !== undefined && (!response.headersSent || response.writableLength > 0)
    if (writing && !socket.destroyed && tries++ < 1000) setImmediate(cut)
    else socket.destroySoon()
  }
  cut()
}

export interface JsonAnswerOptions {
  flavor: ErrorFlavor
  release: () => void
  plan: AnswerPlan
  simulation: RequestSimulation
  messageId: string
  model: string
  /** The response body from the parts of a finished answer. */
  body(parts: StreamPart[]): unknown
}

/** A non-streamed answer: generated at the simulated pace all the same, then sent whole. */
export async function answerJson(c: AppContext, ctx: ServerContext, options: JsonAnswerOptions): Promise<Response> {
  const parts: StreamPart[] = []
  let fault: 'drop' | 'malformed' | 'provider-error' | undefined
  const run = startRun(ctx, {
    id: randomUUID(),
    target: { append: () => 0, end: () => {} },
    wire: { fail: () => [] },
    transport: 'json',
    release: options.release,
    source: (sink) =>
      playAnswer(options.plan, {
        simulation: options.simulation,
        defaults: ctx.simulation,
        messageId: options.messageId,
        model: options.model,
        signal: sink.signal,
        onToken: () => sink.countToken(),
        emit: (event: SimEvent) => {
          if (event.type === 'part') parts.push(event.part)
          else if (event.fault === 'malformed') fault ??= 'malformed'
          else if (event.fault === 'drop') {
            fault = 'drop'
            sink.stop('client-gone')
          } else {
            fault = 'provider-error'
            sink.failed()
          }
        },
      }),
  })
  const requestSignal = c.req.raw.signal
  const gone = () => run.stop('client-gone')
  if (requestSignal.aborted) gone()
  else requestSignal.addEventListener('abort', gone, { once: true })
  const outcome = await run.ended
  requestSignal.removeEventListener('abort', gone)
  c.set('tokens', run.tokens)
  if (fault === 'drop') {
    dropConnection(c)
    return new Response(null, { status: 204 })
  }
  switch (outcome) {
    case 'client-gone':
    case 'cancelled':
      // Nobody is listening; the status is only for the log.
      return new Response(null, { status: 499 })
    case 'shutdown':
      return errorResponse(options.flavor, { status: 503, message: 'The server is shutting down', retryAfterS: 1 })
    case 'timeout':
      return errorResponse(options.flavor, { status: 504, message: 'The answer took longer than the server allows' })
    default:
      break
  }
  if (fault === 'provider-error' || outcome === 'failed')
    return errorResponse(options.flavor, {
      status: 500,
      message: 'The simulated model failed (provider-error fault)',
      code: 'server_error',
    })
  const json = JSON.stringify(options.body(parts))
  // The malformed fault: the body is cut off mid-JSON, as a broken proxy would leave it.
  const text = fault === 'malformed' ? json.slice(0, Math.max(1, Math.floor(json.length / 2))) : json
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } })
}

/** A streaming route's handler: `requestedId` is the client's `x-rivulet-stream-id`, if any. */
export type StreamRouteHandler = (
  c: AppContext,
  ctx: ServerContext,
  requestedId: string | undefined,
) => Promise<Response>

/**
 * Wraps a streaming route: the client-named stream id is held as pending while the request is
 * handled, so a cancel that arrives while the body is still being read finds the stream.
 */
export function streamRoute(ctx: ServerContext, handle: StreamRouteHandler) {
  return async (c: AppContext): Promise<Response> => {
    const requestedId = c.req.header(STREAM_ID_HEADER)
    const pending = isSaneId(requestedId) && !ctx.pending.has(requestedId) ? requestedId : undefined
    if (pending) ctx.pending.add(pending)
    try {
      return await handle(c, ctx, requestedId)
    } finally {
      if (pending) ctx.pending.delete(pending)
    }
  }
}

/** Whether the client asked for a resumable stream (`x-rivulet-resumable: 1`, `true` or `yes`). */
export function isResumable(header: string | undefined): boolean {
  return header !== undefined && ['1', 'true', 'yes'].includes(header.trim().toLowerCase())
}
