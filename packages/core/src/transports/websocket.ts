/**
 * The WebSocket transport: many streams multiplexed over one socket, resumed after a drop.
 *
 * Wire protocol (Rivulet WebSocket, version 1). Every frame is a text frame holding one JSON
 * object with a string `type`. Each side ignores frame types it does not know, and the client
 * ignores frames whose `id` names no stream it is listening to.
 *
 * Client → server:
 * - `{"type":"start","id":"<stream id>","request":{...},"resumable":true}` starts a stream. The
 *   client names it (a UUID, unique across connections); `request` is the JSON body, by default
 *   Chat-Completions-shaped: `{"model"?,"messages":[…],"tools"?:[…],"max_tokens"?}`, the messages
 *   with their tool calls, `tool` results and content parts as Chat Completions has them. `resumable`
 *   is true when the client will reconnect and resume (the default) and false with
 *   `reconnect: false`.
 * - `{"type":"cancel","id":"<stream id>"}` stops the stream: the server stops generating, forgets
 *   it, and sends nothing more for it. A cancel for an unknown id is ignored.
 * - `{"type":"resume","id":"<stream id>","after":<seq>}` is sent on a new connection after the
 *   previous one dropped; `after` is the last `seq` the client received (0 if none). The server
 *   sends the stream's parts with `seq > after` in order, then its live parts as they come, then
 *   its `end` or `error`. A server that no longer has the stream answers with an `error` frame
 *   (suggested: kind `interrupted`, code `stream_not_found`).
 * - `{"type":"ping"}`, every `pingIntervalMs` while the socket is open; answered by a pong.
 *
 * Server → client:
 * - `{"type":"part","id","seq":<n>,"part":<StreamPart>}`: one part. `seq` is 1, 2, 3… per stream,
 *   with no gaps; a replayed part keeps its original `seq`, and the client drops every part whose
 *   `seq` is not above the last one it has, so each part is delivered exactly once. A part that
 *   skips a `seq` means one went missing: that stream fails with kind `parse`.
 * - `{"type":"end","id"}` right after the stream's `finish` part. Nothing follows it.
 * - `{"type":"error","id","error":{"kind","message","status"?,"code"?,"retryAfterMs"?}}` ends the
 *   stream with a `StreamError` of those fields; `kind` is one of `StreamErrorKind` (anything else
 *   is read as `provider`). Nothing follows it.
 * - `{"type":"pong"}` answers a ping.
 *
 * A resumable stream is not tied to its connection. When a connection closes, the server keeps
 * each of its unfinished resumable streams running (and their parts) for a retention window so a
 * `resume` on another connection can pick it up; only `cancel` (or the end of the window) stops
 * it. That way "stop" and "resume" never fight. A stream started with `resumable: false` stops
 * as soon as its connection closes.
 *
 * A malformed frame fails only the stream it belongs to (kind `parse`; the client cancels it), and
 * the other streams on the socket go on. A frame is attributed by its `id`, read from its first
 * members even when the rest of it is cut off (servers write `type` and `id` first). A frame with
 * no readable `id` (binary, not JSON, not an object) belongs to no stream: it is reported to
 * `onMalformed` and ignored, since failing every stream for it would stop answers it never touched.
 * If it was one of a stream's parts, that stream fails at its next part (the `seq` gap).
 */
import { StreamError } from '../errors.js'
import { abortError } from '../framing/source.js'
import { randomId } from '../id.js'
import type { StreamPart } from '../types.js'
import { withReadableFiles } from './requests/history.js'
import { openaiChatMessages, openaiChatTools } from './requests/openai-chat.js'
import type { Transport, TransportRequest } from './transport.js'
import {
  readWebSocketServerFrame,
  type WebSocketClientFrame,
  webSocketStreamError,
  writeWebSocketFrame,
} from './websocket-frames.js'

/**
 * The part of the WebSocket API the transport uses, common to the browser's `WebSocket`, the
 * `ws` package's and undici's: no binary frames, no `on*` properties, no static constants.
 */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'error', listener: () => void): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
}

export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface WebSocketReconnectOptions {
  /** Connection attempts after a drop before live streams fail with kind `network`. Default 5. */
  attempts?: number
  /** First backoff; doubles each attempt, with jitter. Default 250 ms. */
  baseDelayMs?: number
  /** Longest backoff. Default 5 s. */
  maxDelayMs?: number
}

export interface WebSocketTransportOptions {
  /** `ws:` / `wss:` URL; `http(s):` and (in browsers) relative URLs are turned into WebSocket URLs. */
  url: string | URL
  /** A WebSocket constructor (e.g. `WebSocket` from the `ws` package in Node 20). Default: the global one. */
  WebSocket?: WebSocketConstructor
  /**
   * The `request` of the start frame, or a promise of it. Default `{ model?, messages, tools?,
   * max_tokens? }` with messages and tools in the Chat Completions shape.
   */
  body?(request: TransportRequest): unknown
  /**
   * Extra fields merged over the default body (simulation options, temperature…); getters are
   * read for each request.
   */
  extraBody?: Record<string, unknown>
  /** `model` of the default body; left out when not set (the server's default model). */
  model?: string
  /** Expected output size, for progress; also `max_tokens` of the default body. */
  maxTokens?: number
  /** Reconnect and resume after a drop, or `false` to fail live streams at once. */
  reconnect?: WebSocketReconnectOptions | false
  /** Ping interval; a socket that stays silent for a whole interval is dropped. Default 25 s, 0 disables. */
  pingIntervalMs?: number
  /** How long the socket stays open once no stream is live. Default 30 s. */
  idleTimeoutMs?: number
  /** A frame that names no stream (binary, not JSON, no `id`) was ignored; kind `parse`. */
  onMalformed?(error: StreamError): void
}

/** A WebSocket transport; `close()` cancels its live streams and closes the socket. */
export type WebSocketTransport = Transport & { close(): void }

const OPEN = 1 // WebSocket.OPEN, which a custom constructor may not carry

/**
 * A transport over one lazily opened WebSocket shared by all its streams (see the protocol above).
 *
 * @example
 * import { WebSocket } from 'ws' // Node 20; browsers use the global WebSocket
 * const transport = websocketTransport({ url: 'ws://127.0.0.1:8787/v1/ws', WebSocket })
 * const hi: ChatMessage = { id: '1', role: 'user', content: 'Hi', parts: [{ type: 'text', text: 'Hi' }] }
 * for await (const part of transport({ messages: [hi], signal })) show(part)
 * transport.close()
 */
export function websocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const mux = new Multiplexer(options)
  const body =
    options.body ??
    (async (request: TransportRequest) => {
      // The demo server's start frame takes Chat Completions' messages and tools.
      const tools = openaiChatTools(request.tools)
      return {
        ...(options.model !== undefined && { model: options.model }),
        messages: openaiChatMessages(await withReadableFiles(request.messages)),
        ...(tools.length > 0 && { tools }),
        ...(options.maxTokens !== undefined && { max_tokens: options.maxTokens }),
        ...options.extraBody,
      }
    })
  const transport: Transport = async function* (request) {
    const { signal } = request
    if (signal.aborted) throw abortError(signal)
    const stream = new LiveStream(randomId(), request, await body(request))
    if (signal.aborted) throw abortError(signal)
    // Abort cancels on the server at once, even while the consumer is busy with a part.
    const onAbort = () => {
      mux.remove(stream)
      stream.wake()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      mux.add(stream)
      while (true) {
        if (signal.aborted) throw abortError(signal)
        const part = stream.queue.shift()
        if (part !== undefined) {
          yield part
          continue
        }
        if (stream.done) {
          if (stream.error) throw stream.error
          return
        }
        await stream.changed()
      }
    } finally {
      signal.removeEventListener('abort', onAbort)
      mux.remove(stream) // a consumer's `break` cancels too
    }
  }
  if (options.maxTokens !== undefined) transport.maxTokens = options.maxTokens
  return Object.assign(transport, { close: () => mux.close() })
}

/** One stream's state on the client; parts wait here until the iterator takes them. */
class LiveStream {
  readonly queue = new PartQueue()
  /** The last `seq` received: resume point and duplicate filter. */
  lastSeq = 0
  /** Its start frame went out, so it is resumed (not started) on a new connection. */
  started = false
  /** Its `finish` part arrived: the answer is complete even if `end` never does. */
  finished = false
  done = false
  error: StreamError | undefined
  private waiter: (() => void) | undefined

  constructor(
    readonly id: string,
    readonly request: TransportRequest,
    readonly body: unknown,
  ) {}

  push(part: StreamPart): void {
    this.queue.push(part)
    this.wake()
  }

  end(error?: StreamError): void {
    this.done = true
    this.error = error
    this.wake()
  }

  changed(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve))
  }

  wake(): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }
}

/** A FIFO whose taken slots are released as it goes (Array#shift copies the whole array each time). */
class PartQueue {
  private items: (StreamPart | undefined)[] = []
  private head = 0

  push(part: StreamPart): void {
    this.items.push(part)
  }

  shift(): StreamPart | undefined {
    if (this.head === this.items.length) return undefined
    const part = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return part
  }
}

/** The socket and the streams on it: connects, routes frames by id, reconnects and resumes. */
class Multiplexer {
  private socket: WebSocketLike | undefined
  private open = false
  private readonly streams = new Map<string, LiveStream>()
  /** Streams stopped while no socket was open; their cancel goes out on the next one. */
  private readonly pendingCancels = new Set<string>()
  /** Connections in a row that dropped before a single frame came back. */
  private failures = 0
  private heardSincePing = true
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private pingTimer: ReturnType<typeof setInterval> | undefined
  private readonly attempts: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number

  constructor(private readonly options: WebSocketTransportOptions) {
    const reconnect = options.reconnect === false ? { attempts: 0 } : (options.reconnect ?? {})
    this.attempts = reconnect.attempts ?? 5
    this.baseDelayMs = reconnect.baseDelayMs ?? 250
    this.maxDelayMs = reconnect.maxDelayMs ?? 5000
  }

  add(stream: LiveStream): void {
    this.streams.set(stream.id, stream)
    this.clearIdle()
    if (this.open) this.start(stream)
    else if (this.socket === undefined && this.reconnectTimer === undefined) this.connect()
  }

  /** Stops listening to a stream that has not ended, cancelling it on the server. */
  remove(stream: LiveStream): void {
    if (this.streams.get(stream.id) !== stream) return
    this.streams.delete(stream.id)
    if (stream.started) {
      if (this.open) this.send({ type: 'cancel', id: stream.id })
      else this.pendingCancels.add(stream.id)
    }
    this.idleIfUnused()
  }

  close(): void {
    for (const stream of [...this.streams.values()]) {
      this.remove(stream)
      stream.end(new StreamError('aborted', 'The WebSocket transport was closed'))
    }
    this.pendingCancels.clear()
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    this.failures = 0
    this.disconnect()
  }

  private connect(): void {
    const Constructor = this.options.WebSocket ?? globalThis.WebSocket
    if (Constructor === undefined) {
      this.failAll(
        new StreamError('network', 'No WebSocket implementation: pass `WebSocket` (e.g. from the ws package)'),
      )
      return
    }
    let socket: WebSocketLike
    try {
      socket = new Constructor(socketUrl(this.options.url))
    } catch (error) {
      // A malformed URL or a blocked port: no attempt will do better.
      this.failAll(new StreamError('network', `Could not open the WebSocket: ${messageOf(error)}`, { cause: error }))
      return
    }
    this.socket = socket
    // Every listener checks it is still the current socket: an abandoned one may still fire.
    socket.addEventListener('open', () => this.socket === socket && this.onOpen())
    socket.addEventListener('message', (event) => this.socket === socket && this.onMessage(event.data))
    socket.addEventListener('close', (event) => this.socket === socket && this.onDrop(`closed (${event.code})`))
    // A close event always follows an error; the listener also keeps `ws` from throwing it.
    socket.addEventListener('error', () => {})
  }

  private onOpen(): void {
    this.open = true
    this.heardSincePing = true
    const interval = this.options.pingIntervalMs ?? 25_000
    if (interval > 0) this.pingTimer = setInterval(() => this.ping(), interval)
    for (const id of this.pendingCancels) this.send({ type: 'cancel', id })
    this.pendingCancels.clear()
    for (const stream of this.streams.values()) this.start(stream)
    this.idleIfUnused()
  }

  private start(stream: LiveStream): void {
    if (stream.started) this.send({ type: 'resume', id: stream.id, after: stream.lastSeq })
    else
      this.send({
        type: 'start',
        id: stream.id,
        request: stream.body as Record<string, unknown>,
        resumable: this.attempts > 0,
      })
    stream.started = true
  }

  private onMessage(data: unknown): void {
    this.heardSincePing = true
    this.failures = 0
    const read = readWebSocketServerFrame(data)
    if (read.ok === 'ignored') return // a frame type this version does not know
    if (read.ok === false) {
      const owner = read.id === undefined ? undefined : this.streams.get(read.id)
      if (owner) this.fail(owner, read.error)
      else if (read.id === undefined) this.options.onMalformed?.(read.error)
      return
    }
    const { frame } = read
    if (frame.type === 'pong') return
    const stream = this.streams.get(frame.id)
    if (stream === undefined) return // a stream we stopped listening to
    stream.request.onActivity?.()
    switch (frame.type) {
      case 'part': {
        const { seq, part } = frame
        if (seq <= stream.lastSeq) return // replayed after a resume: already delivered
        if (seq !== stream.lastSeq + 1) {
          const missing = stream.lastSeq + 1
          this.fail(stream, new StreamError('parse', `Part ${missing} of the stream never arrived (next came ${seq})`))
          return
        }
        stream.lastSeq = seq
        if (part.type === 'finish') stream.finished = true
        stream.push(part)
        return
      }
      case 'end':
        this.streams.delete(stream.id)
        stream.end(
          stream.finished ? undefined : new StreamError('interrupted', 'The stream ended without a finish part'),
        )
        this.idleIfUnused()
        return
      case 'error':
        this.streams.delete(stream.id)
        stream.end(webSocketStreamError(frame.error))
        this.idleIfUnused()
        return
    }
  }

  private fail(stream: LiveStream, error: StreamError): void {
    this.remove(stream)
    stream.end(error)
  }

  private failAll(error: StreamError): void {
    for (const stream of this.streams.values()) stream.end(error)
    this.streams.clear()
    this.pendingCancels.clear()
  }

  /** The socket is gone: finished streams are complete, the others resume on a new one. */
  private onDrop(how: string): void {
    this.detach()
    for (const stream of [...this.streams.values()]) {
      if (!stream.finished) continue
      this.streams.delete(stream.id)
      stream.end()
    }
    if (this.streams.size === 0 && this.pendingCancels.size === 0) {
      this.failures = 0
      return
    }
    if (this.failures >= this.attempts) {
      const tries = this.attempts === 1 ? '1 attempt' : `${this.attempts} attempts`
      const again = this.attempts > 0 ? ` and did not come back after ${tries}` : ''
      this.failAll(new StreamError('network', `The WebSocket connection ${how}${again}`))
      this.failures = 0
      return
    }
    // Exponential backoff with jitter in the upper half, so clients dropped together spread out.
    const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** this.failures++)
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = undefined
        if (this.streams.size > 0 || this.pendingCancels.size > 0) this.connect()
      },
      backoff / 2 + (backoff / 2) * Math.random(),
    )
  }

  /** A socket silent for a whole ping interval is treated as dropped (a half-open TCP connection never closes). */
  private ping(): void {
    if (!this.heardSincePing) {
      const socket = this.socket
      this.onDrop('went silent')
      closeQuietly(socket)
      return
    }
    this.heardSincePing = false
    this.send({ type: 'ping' })
  }

  private idleIfUnused(): void {
    if (this.streams.size > 0 || this.idleTimer !== undefined) return
    if (this.socket === undefined && this.pendingCancels.size === 0) {
      clearTimeout(this.reconnectTimer)
      this.reconnectTimer = undefined
      this.failures = 0
    }
    if (!this.open) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined
      if (this.streams.size === 0) this.disconnect()
    }, this.options.idleTimeoutMs ?? 30_000)
  }

  private clearIdle(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }

  private disconnect(): void {
    const socket = this.socket
    this.detach()
    closeQuietly(socket, 1000)
  }

  private detach(): void {
    this.socket = undefined
    this.open = false
    clearInterval(this.pingTimer)
    this.pingTimer = undefined
    this.clearIdle()
  }

  private send(frame: WebSocketClientFrame): void {
    const socket = this.socket
    if (socket?.readyState !== OPEN) return
    try {
      socket.send(writeWebSocketFrame(frame))
    } catch {
      // Closing under our feet: the close event resumes what needs it.
    }
  }
}

/** `ws:`/`wss:` as given; `http(s):` mapped; relative URLs resolved against the page. */
function socketUrl(url: string | URL): string {
  const resolved = new URL(url, typeof location === 'undefined' ? undefined : location.href)
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:'
  else if (resolved.protocol === 'https:') resolved.protocol = 'wss:'
  return resolved.href
}

function closeQuietly(socket: WebSocketLike | undefined, code?: number): void {
  try {
    socket?.close(code)
  } catch {
    // Already closed.
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
