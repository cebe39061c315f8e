/**
 * Starting and stopping the server: the Hono app on Node's HTTP server, the WebSocket
 * endpoint on its upgrades, and a shutdown that ends open streams instead of cutting them.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { MemoryStreamStore, type StreamStore } from '@rivulet/server'
import { createApp } from './app.js'
import {
  DEFAULT_LIMITS,
  type Limits,
  type Logger,
  type ServerContext,
  type ServerStats,
  type StreamEndInfo,
  type UpstreamOptions,
} from './context.js'
import { originPolicy } from './cors.js'
import { hostPolicy } from './hosts.js'
import { RateLimiter, StreamSlots } from './limits.js'
import { DEFAULT_SIMULATION, type SimulationDefaults } from './sim/options.js'
import { attachWebSocket, WEBSOCKET_PATH } from './websocket.js'

export interface ServerOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** One line per request, plus errors. `false` for silence. Default: the console. */
  logger?: Logger | false
  limits?: Partial<Limits>
  /** Where resumable streams live. Default: a `MemoryStreamStore` (60 s retention). */
  store?: StreamStore
  /** An OpenAI-compatible server for models other than `rivulet-sim`. */
  upstream?: UpstreamOptions
  /** Browser origins allowed (`*` for any). Default: localhost, 127.0.0.1 and [::1] on any port. */
  corsOrigins?: readonly string[]
  /**
   * `Host` header values served besides loopback names and addresses (`localhost`, 127.0.0.1,
   * [::1]): names, IP addresses, `.example.com` for a domain and its subdomains, `*` for any.
   * Other hosts get 403, against DNS rebinding. A specific `host` to listen on is added.
   */
  allowedHosts?: readonly string[]
  /** The simulated model's timing when a request does not set it. */
  simulation?: Partial<SimulationDefaults>
  /** SSE keepalive comments and WebSocket heartbeat period. Default 15 s. */
  keepaliveMs?: number
  /** Called when each generation stops, with why and how many tokens it made. */
  onStreamEnd?(info: StreamEndInfo): void
}

export interface RunningServer {
  /** `http://host:port`, no trailing slash. */
  url: string
  /** `ws://host:port/v1/ws`. */
  wsUrl: string
  port: number
  stats(): ServerStats & { memory: NodeJS.MemoryUsage; sockets: number }
  /** Stops accepting, ends open streams (an error event saying why), closes sockets. */
  close(): Promise<void>
}

export interface RivuletServer {
  /** The Hono app: `app.request()` serves a request in-process, without a socket. */
  app: ReturnType<typeof createApp>
  /** Node's HTTP server, not yet listening. */
  server: Server
  listen(): Promise<RunningServer>
}

/**
 * Builds the server without listening.
 *
 * @example
 * const { url, close } = await createServer({ port: 0, logger: false }).listen()
 */
export function createServer(options: ServerOptions = {}): RivuletServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
  const store = options.store ?? new MemoryStreamStore()
  const ownsStore = options.store === undefined
  const ctx: ServerContext = {
    limits,
    store,
    slots: new StreamSlots(limits.maxConcurrentStreams, limits.maxStreamsPerClient),
    rateLimiter: limits.rateLimit ? new RateLimiter(limits.rateLimit) : undefined,
    logger: options.logger === false ? undefined : (options.logger ?? consoleLogger),
    upstream: options.upstream,
    simulation: { ...DEFAULT_SIMULATION, ...options.simulation },
    isAllowedOrigin: originPolicy(options.corsOrigins),
    isAllowedHost: hostPolicy([
      ...(options.allowedHosts ?? []),
      ...(options.host !== undefined && !['0.0.0.0', '::', ''].includes(options.host) ? [options.host] : []),
    ]),
    keepaliveMs: options.keepaliveMs ?? 15_000,
    runs: new Set(),
    pending: new Set(),
    stats: { streamsStarted: 0, tokensGenerated: 0, requests: 0 },
    onStreamEnd: options.onStreamEnd,
    closing: false,
  }
  const app = createApp(ctx)
  // Node's own Request and Response are kept: the server shares its process with clients (tests, the demo launcher).
  const server = createHttpServer(getRequestListener(app.fetch, { overrideGlobalObjects: false }))
  server.keepAliveTimeout = 5000
  // Responses in flight per connection: on shutdown, a connection is closed as soon as it has none.
  const inFlight = new Map<Socket, number>()
  server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0)
    socket.once('close', () => inFlight.delete(socket))
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { socket } = request
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1)
    response.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1
      inFlight.set(socket, left)
      if (ctx.closing && left === 0) socket.destroySoon()
    })
  })
  const websocket = attachWebSocket(server, ctx)

  const listen = async (): Promise<RunningServer> => {
    const host = options.host ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      // A deep accept queue: many clients connecting at once (a page of tabs, a load test) must
      // wait their turn, not have their SYNs dropped and retried a second or more later.
      server.listen({ port: options.port ?? 8787, host, backlog: 4096 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const { port } = server.address() as AddressInfo
    const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    let closing: Promise<void> | undefined
    return {
      url: base,
      wsUrl: `${base.replace(/^http/, 'ws')}${WEBSOCKET_PATH}`,
      port,
      stats: () => ({
        activeStreams: ctx.runs.size,
        streamsStarted: ctx.stats.streamsStarted,
        tokensGenerated: ctx.stats.tokensGenerated,
        requests: ctx.stats.requests,
        sockets: websocket.sockets,
        memory: process.memoryUsage(),
      }),
      close: () => (closing ??= shutdown()),
    }
  }

  const shutdown = async (): Promise<void> => {
    ctx.closing = true
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    // Open streams end with an error event saying why, so clients know to come back later.
    const runs = [...ctx.runs]
    for (const run of runs) run.stop('shutdown')
    await Promise.all(runs.map((run) => run.ended))
    websocket.close()
    for (const [socket, responses] of inFlight) if (responses === 0) socket.destroySoon()
    // Streams' last events need a moment to be written; then whatever is left is cut.
    const grace = setTimeout(() => server.closeAllConnections(), 1000)
    await closed
    clearTimeout(grace)
    if (ownsStore) await store.close()
  }

  return { app, server, listen }
}

/** Creates the server and listens. */
export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  return createServer(options).listen()
}

const consoleLogger: Logger = {
  info: (line) => console.log(line),
  error: (line, error) => console.error(line, error instanceof Error ? error.message : (error ?? '')),
}
