/**
 * The WebSocket endpoint, `/v1/ws`: the protocol of @rivulet/core's WebSocket transport (see
 * the top of core's transports/websocket.ts). Many streams share one socket, each named by the
 * client. A stream started with `"resumable": true` (or `rivulet.resumable` in its request)
 * outlives the socket: a `resume` frame on a new one gets what was missed. Any other stream
 * stops as soon as its socket closes.
 *
 * A frame that breaks the protocol closes the socket with a reason: 1003 for a binary frame,
 * 1008 for text that is not a JSON frame object, a known frame missing its fields, or a stream
 * id used twice. Frame types this server does not know are ignored, as the protocol asks.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { readWebSocketClientFrame, writeWebSocketFrame } from '@rivulet/core'
import { type Follower, MemoryLog, type Subscription } from '@rivulet/server'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'
import type { ServerContext } from './context.js'
import { checkPace, httpFault, simulatedSource, startRun, takeSlot } from './generate.js'
import { checkChatRequest, type SocketRequest, simRequestFromChat, socketRequestSchema } from './requests/openai.js'
import { type AnswerPlan, planAnswer, SIM_MODEL } from './sim/model.js'
import type { RequestSimulation } from './sim/options.js'
import type { RunTarget, StreamRun } from './streams/run.js'
import { errorFrame, type WsErrorFields, wsWire } from './streams/wire.js'
import { relayedSource } from './upstream.js'
import { nestsDeeperThan, tooDeep, validate } from './validation.js'

export const WEBSOCKET_PATH = '/v1/ws'

/** Bytes a socket may hold unwritten before its streams pause (their producers then wait too). */
const SOCKET_BUFFER_BYTES = 64 * 1024

/** WebSocket close codes (RFC 6455 §7.4.1). */
const CLOSE = { normal: 1000, goingAway: 1001, unsupportedData: 1003, policy: 1008, internalError: 1011 } as const

export interface WebSocketEndpoint {
  /** Closes every socket (1001) and stops the heartbeat. */
  close(): void
  readonly sockets: number
}

/** Serves the endpoint on `server`'s upgrade requests. */
export function attachWebSocket(server: Server, ctx: ServerContext): WebSocketEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: ctx.limits.maxBodyBytes })
  const alive = new WeakSet<WebSocket>()

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A throw in an event listener would end the process: every upgrade is answered, whatever it holds.
    try {
      upgrade(request, socket, head)
    } catch (error) {
      ctx.logger?.error(`${WEBSOCKET_PATH} upgrade failed`, error)
      if (!socket.destroyed) reject(socket, 500, 'Internal Server Error')
    }
  })

  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}) // a peer gone mid-handshake
    const path = pathOf(request.url)
    if (path === undefined) return reject(socket, 400, 'Bad Request')
    if (path !== WEBSOCKET_PATH) return reject(socket, 404, 'Not Found')
    if (!ctx.isAllowedHost(request.headers.host)) return reject(socket, 403, 'Forbidden')
    // Browsers do not apply CORS to WebSockets: the origin is checked here instead.
    const origin = request.headers.origin
    if (origin !== undefined && !ctx.isAllowedOrigin(origin)) return reject(socket, 403, 'Forbidden')
    if (ctx.closing) return reject(socket, 503, 'Service Unavailable')
    const waitMs = ctx.rateLimiter?.take(clientOf(request)) ?? 0
    if (waitMs > 0) return reject(socket, 429, 'Too Many Requests', { 'retry-after': String(Math.ceil(waitMs / 1000)) })
    wss.handleUpgrade(request, socket, head, (ws) => {
      alive.add(ws)
      ws.on('pong', () => alive.add(ws))
      new SocketSession(ws, ctx, clientOf(request))
      ctx.logger?.info(`${timestamp()} GET ${WEBSOCKET_PATH} 101`)
    })
  }

  // Protocol-level pings find sockets whose peer vanished without a close (a half-open TCP connection).
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, ctx.keepaliveMs * 2)
  heartbeat.unref()

  return {
    close() {
      clearInterval(heartbeat)
      for (const ws of wss.clients) ws.close(CLOSE.goingAway, 'The server is shutting down')
      wss.close()
    },
    get sockets() {
      return wss.clients.size
    },
  }
}

/** The path of a request target; undefined when it is not a URL at all. */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname
  } catch {
    return undefined
  }
}

function reject(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${text}`, 'Connection: close', 'Content-Length: 0']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  socket.end(`${lines.join('\r\n')}\r\n\r\n`)
}

export function clientOf(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown'
}

function timestamp(): string {
  return new Date().toISOString()
}

/** A stream this socket reads: started here, or resumed here. */
interface Attached {
  subscription?: Subscription
  /** The run, when it was started on this socket (its faults act on this socket). */
  run?: StreamRun
  resumable: boolean
}

let socketCount = 0

class SocketSession {
  private readonly streams = new Map<string, Attached>()
  private closed = false
  /** Streams paused on a full socket, resumed when it has written out. */
  private readonly resumers = new Set<() => void>()
  private drainArmed = false
  /** Streams are capped per socket: the key its slots count against. */
  private readonly slotKey = `socket:${++socketCount}`

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ServerContext,
    private readonly client: string,
  ) {
    ws.on('message', (data, isBinary) => {
      // A throw here would reach the socket's event emitter, and from there end the process.
      try {
        this.onMessage(data, isBinary)
      } catch (error) {
        ctx.logger?.error(`${WEBSOCKET_PATH} frame handling failed`, error)
        this.close(CLOSE.internalError, 'The server had an error handling a frame')
      }
    })
    ws.on('close', () => this.onClose())
    ws.on('error', () => {}) // a close follows every error
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return
    const read = readWebSocketClientFrame(isBinary ? data : data.toString())
    if (read.ok === 'ignored') return // newer clients may send frames this server predates
    if (read.ok === false) {
      this.close(read.binary ? CLOSE.unsupportedData : CLOSE.policy, read.reason)
      return
    }
    const value = read.frame
    switch (value.type) {
      case 'ping':
        this.send(writeWebSocketFrame({ type: 'pong' }))
        break
      case 'start':
        if (this.streams.has(value.id)) this.close(CLOSE.policy, `Stream id ${value.id} is already in use`)
        else this.start(value.id, value.request, value.resumable).catch((error) => this.startFailed(value.id, error))
        break
      case 'cancel':
        this.cancel(value.id).catch((error) => this.ctx.logger?.error(`${WEBSOCKET_PATH} cancel failed`, error))
        break
      case 'resume':
        this.resume(value.id, value.after).catch((error) => this.startFailed(value.id, error))
        break
    }
  }

  private async start(id: string, body: Record<string, unknown>, resumable: boolean | undefined): Promise<void> {
    const { ctx } = this
    // Claimed at once: a second start with this id while this one is being set up breaks the protocol too.
    const attached: Attached = { resumable: false }
    this.streams.set(id, attached)
    const fail = (error: WsErrorFields) => {
      this.streams.delete(id)
      this.send(errorFrame(id, error))
    }
    const waitMs = ctx.rateLimiter?.take(this.client) ?? 0
    if (waitMs > 0)
      return fail({
        kind: 'http',
        status: 429,
        message: 'Rate limit reached; retry later',
        code: 'rate_limit_exceeded',
        retryAfterMs: waitMs,
      })
    if (nestsDeeperThan(body)) return fail({ kind: 'http', ...tooDeep('request') })
    const parsed = validate(socketRequestSchema, body, 'request.')
    if (!parsed.ok)
      return fail({ kind: 'http', status: 400, message: parsed.error.message, code: 'invalid_request_error' })
    const request = parsed.value
    const invalid = checkChatRequest(request, ctx.limits)
    if (invalid)
      return fail({
        kind: 'http',
        status: 400,
        message: `request.${invalid.message}`,
        code: invalid.code ?? 'invalid_request_error',
      })
    const simulation = request.rivulet ?? {}
    const relayed = request.model !== SIM_MODEL
    if (relayed && ctx.upstream === undefined)
      return fail({
        kind: 'http',
        status: 404,
        message: `The model \`${request.model}\` does not exist`,
        code: 'model_not_found',
      })
    const fault = relayed ? undefined : httpFault(simulation)
    if (fault)
      return fail({
        kind: 'http',
        status: fault.status,
        message: fault.message,
        ...(fault.code !== undefined && { code: fault.code }),
        ...(fault.retryAfterS !== undefined && { retryAfterMs: fault.retryAfterS * 1000 }),
      })
    const plan = relayed ? undefined : planAnswer(simRequestFromChat(request), simulation)
    const tooSlow = plan && checkPace(ctx, plan, simulation)
    if (tooSlow)
      return fail({
        kind: 'http',
        status: 400,
        message: tooSlow.message,
        code: tooSlow.code ?? 'invalid_request_error',
      })
    const slot = takeSlot(ctx, this.slotKey)
    if (!slot.ok)
      return fail({
        kind: 'http',
        status: slot.error.status,
        message: slot.error.message,
        retryAfterMs: (slot.error.retryAfterS ?? 1) * 1000,
        ...(slot.error.code !== undefined && { code: slot.error.code }),
      })

    try {
      await this.launch(id, attached, request, simulation, plan, resumable, slot.release)
    } catch (error) {
      if (attached.run === undefined) slot.release()
      throw error
    }
  }

  /** A stream that passed every check and holds its slot: its log or stored stream, its run, its pump. */
  private async launch(
    id: string,
    attached: Attached,
    request: SocketRequest,
    simulation: RequestSimulation,
    plan: AnswerPlan | undefined,
    resumable: boolean | undefined,
    release: () => void,
  ): Promise<void> {
    const { ctx } = this
    const slot = { release }
    const fail = (error: WsErrorFields) => {
      this.streams.delete(id)
      this.send(errorFrame(id, error))
    }
    const relayed = request.model !== SIM_MODEL
    attached.resumable = resumable ?? simulation.resumable ?? false
    let target: RunTarget
    let follow: (follower: Follower) => Subscription | undefined
    if (attached.resumable) {
      const created = await ctx.store.create(id, 'ws')
      if (created !== 'created') {
        slot.release()
        if (created === 'cancelled') {
          this.streams.delete(id) // cancelled before it began: nothing is sent for it
          return
        }
        return fail(
          created === 'exists'
            ? { kind: 'http', status: 409, message: `Stream id ${id} is taken`, code: 'stream_exists' }
            : { kind: 'http', status: 429, message: 'Too many resumable streams held', retryAfterMs: 1000 },
        )
      }
      target = { append: (data) => ctx.store.append(id, data), end: () => ctx.store.end(id) }
      follow = (follower) => ctx.store.follow(id, 0, follower)
    } else {
      const log = new MemoryLog()
      target = log
      follow = (follower) => log.follow(0, follower, true)
    }
    // Cancelled while the store was being asked, or the socket of a stream that dies with it closed.
    const cancelled = !this.closed && this.streams.get(id) !== attached
    if (cancelled || (this.closed && !attached.resumable)) {
      slot.release()
      if (attached.resumable) await ctx.store.cancel(id)
      return
    }

    const wire = wsWire(id)
    const run = startRun(ctx, {
      id,
      target,
      wire,
      transport: 'ws',
      release: slot.release,
      // A reader stuck on one stream is a socket that takes nothing: every stream on it is stuck.
      onStalled: () => this.terminate(),
      source: relayed
        ? relayedSource(ctx, request as Record<string, unknown>, wire)
        : simulatedSource(
            ctx,
            plan ?? planAnswer(simRequestFromChat(request), simulation),
            simulation,
            { messageId: `chatcmpl-${id}`, model: request.model },
            wire,
          ),
    })
    attached.run = run
    if (attached.resumable) {
      const off = ctx.store.onCancel(id, () => run.stop('cancelled'))
      void run.ended.then(off)
    }
    void run.ended.then((outcome) =>
      ctx.logger?.info(
        `${timestamp()} WS ${WEBSOCKET_PATH} ${id} ${outcome} ${Math.round((run.endedAt ?? performance.now()) - run.startedAt)}ms ${run.tokens} tokens`,
      ),
    )
    this.pump(id, attached, follow)
  }

  /** A stream that could not start for a reason of the server's own: that stream fails, the socket goes on. */
  private startFailed(id: string, error: unknown): void {
    this.ctx.logger?.error(`${WEBSOCKET_PATH} stream ${id} failed to start`, error)
    const attached = this.streams.get(id)
    if (attached?.run !== undefined) return // running: the run reports its own end
    this.streams.delete(id)
    attached?.subscription?.close()
    this.send(
      errorFrame(id, {
        kind: 'http',
        status: 500,
        message: 'The server had an error starting this stream',
        code: 'server_error',
      }),
    )
  }

  private async cancel(id: string): Promise<void> {
    const attached = this.streams.get(id)
    if (attached) {
      this.streams.delete(id)
      attached.subscription?.close()
      attached.run?.stop('cancelled')
      if (!attached.resumable) return
    }
    // Resumable streams may run for a socket that is gone: the store reaches them wherever they are.
    await this.ctx.store.cancel(id)
  }

  private async resume(id: string, after: number): Promise<void> {
    const { store } = this.ctx
    const info = await store.info(id)
    if (info === undefined || info.format !== 'ws')
      return this.send(
        errorFrame(id, {
          kind: 'interrupted',
          message: `No stream ${id} to resume: it was cancelled, or its retention window ended`,
          code: 'stream_not_found',
        }),
      )
    if (after + 1 < info.firstSeq)
      return this.send(
        errorFrame(id, {
          kind: 'interrupted',
          message: `The parts after ${after} are no longer retained`,
          code: 'events_trimmed',
        }),
      )
    this.streams.get(id)?.subscription?.close()
    const attached: Attached = { resumable: true }
    this.streams.set(id, attached)
    this.pump(id, attached, (follower) => store.follow(id, after, follower))
  }

  /** Sends a stream's frames as they come; the run's faults act here when this socket started it. */
  private pump(id: string, attached: Attached, follow: (follower: Follower) => Subscription | undefined): void {
    const { run } = attached
    let delivered = 0
    const markers = () => {
      if (run === undefined || this.closed) return
      for (const marker of run.takeMarkers(delivered)) {
        if (marker.type === 'drop') return this.drop()
        this.send(marker.data as string)
      }
    }
    const off = run?.onMarker(markers)
    const done = () => {
      off?.()
      if (this.streams.get(id) === attached) this.streams.delete(id)
    }
    // A socket that closed while the stream was set up reads nothing (a resumable stream waits for its resume).
    if (this.closed) {
      done()
      return
    }
    attached.subscription = follow({
      event: (event) => {
        if (this.closed) return false
        const more = this.sendPaced(event.data, () => attached.subscription?.resume())
        delivered = event.seq
        markers()
        return more
      },
      end: done,
      error: () => {
        done()
        // The parts this reader needed were trimmed: it cannot go on without a gap.
        this.send(
          errorFrame(id, {
            kind: 'interrupted',
            message: 'Parts of the stream are no longer retained',
            code: 'events_trimmed',
          }),
        )
      },
    })
    if (attached.subscription === undefined) done()
  }

  /** Cuts the socket once the frames already sent are written: the client gets every part before the fault. */
  private drop(): void {
    if (this.closed) return
    this.onClose()
    let tries = 0
    const cut = () => {
      if (this.ws.bufferedAmount > 0 && tries++ < 100) setImmediate(cut)
      else this.ws.terminate()
    }
    setImmediate(cut)
  }

  /**
   * Sends a stream's frame; false when the socket holds `SOCKET_BUFFER_BYTES` not yet written
   * out, and then `resume` is called once it has been (the frame's write callback), so frames
   * wait in the stream's bounded log, and its producer waits, instead of piling up here.
   */
  private sendPaced(data: string, resume: () => void): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false
    if (this.ws.bufferedAmount + data.length < SOCKET_BUFFER_BYTES) {
      this.ws.send(data)
      return true
    }
    this.resumers.add(resume)
    if (!this.drainArmed) {
      this.drainArmed = true
      this.ws.send(data, () => this.drained())
    } else this.ws.send(data)
    return false
  }

  private drained(): void {
    this.drainArmed = false
    if (this.closed) return
    const resumers = [...this.resumers]
    this.resumers.clear()
    for (const resume of resumers) resume()
  }

  /** Cuts the socket at once (a stalled reader): every stream on it ends as its socket closing would end it. */
  private terminate(): void {
    if (this.closed) return
    this.onClose()
    this.ws.terminate()
  }

  private send(data: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return
    this.ws.send(data)
  }

  private close(code: number, reason: string): void {
    if (this.closed) return
    this.ws.close(code, reason.slice(0, 120)) // a close reason is limited to 123 bytes
    this.onClose()
  }

  /** The socket is gone: resumable streams go on for a later resume, the others stop now. */
  private onClose(): void {
    if (this.closed) return
    this.closed = true
    this.resumers.clear()
    for (const attached of this.streams.values()) {
      attached.subscription?.close()
      if (!attached.resumable) attached.run?.stop('client-gone')
    }
    this.streams.clear()
  }
}

export { CLOSE as WEBSOCKET_CLOSE }
