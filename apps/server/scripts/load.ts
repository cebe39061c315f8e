/**
 * Load test: holds N concurrent streams at R tokens per second against a server on this
 * machine's loopback (127.0.0.1 only; it starts its own), then reports TTFT and inter-token
 * delay percentiles, errors and the server's memory. It stops by itself after the run.
 *
 *   pnpm --filter @rivulet/demo-server load -- --streams 1000 --rate 20 --seconds 20
 *
 * Options: --streams N (100), --rate R tokens/s per stream (20), --seconds S of streaming per
 * stream (10), --ramp S to open all streams (N / 200), --transport sse|ws (sse), --in-process (run the
 * server in this process instead of spawning it; its memory then includes the clients'),
 * --profile DIR (write a CPU profile of the spawned server there).
 *
 *   pnpm --filter @rivulet/demo-server load -- --redis --instances 2 --streams 1000 --rate 20 --seconds 20
 *
 * --redis starts a redis-server of its own (loopback, no persistence) and the servers with
 * RIVULET_REDIS_URL, makes every SSE stream resumable (so it goes through the store), and reports
 * Redis's memory at the end and once the retention window has passed. --instances N spawns N
 * servers on it and spreads the streams over them.
 *
 *   pnpm --filter @rivulet/demo-server load -- --stuck 1000 --seconds 10
 *
 * --stuck N opens N streams that ask for the longest answer at full speed and never read a
 * byte, holds them for --seconds, and reports the server's memory before and while they are
 * held, then closes them and stops. --url URL measures a server already running on loopback
 * (start it with RIVULET_RATE_LIMIT=0 and room for the streams) instead of starting one; --pid PID
 * reads its RSS from /proc too, for a server too busy to answer /health.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WebSocket } from 'ws'
import { type RedisServer, startRedisServer } from '../../../packages/server/src/testing/redis-server.js'
import { optionsFromEnv } from '../src/config.js'
import { startServer } from '../src/server.js'

const HOST = '127.0.0.1'

const { values: args } = parseArgs({
  // `pnpm … load -- --streams 10` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    streams: { type: 'string', default: '100' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    ramp: { type: 'string' },
    transport: { type: 'string', default: 'sse' },
    'in-process': { type: 'boolean', default: false },
    profile: { type: 'string' },
    stuck: { type: 'string' },
    url: { type: 'string' },
    pid: { type: 'string' },
    redis: { type: 'boolean', default: false },
    instances: { type: 'string', default: '1' },
  },
})
const streams = positive(args.streams, 'streams')
const rate = positive(args.rate, 'rate')
const seconds = positive(args.seconds, 'seconds')
// Streams open at 200 a second unless told otherwise: the figures are about holding them, not a connection storm.
const rampMs = (args.ramp === undefined ? Math.max(1, streams / 200) : Number(args.ramp)) * 1000
const transport = args.transport === 'ws' ? 'ws' : 'sse'
const tokens = Math.round(rate * seconds)
/** Slots the server is started with: every stream (or stuck reader) of the run, and some room. */
const slots = Math.max(streams, Number(args.stuck ?? 0)) + 100
const instances = Math.round(positive(args.instances, 'instances'))
/** The streams' own redis-server, with --redis. */
let redis: RedisServer | undefined

interface StreamResult {
  ttftMs?: number
  gapsMs: number[]
  tokens: number
  error?: string
}

interface ServerSample {
  rssBytes: number
  heapUsedBytes: number
  /** CPU time the server has used so far, user + system. */
  cpuMs: number
}

interface ServerHandle {
  url: string
  /** Several servers sharing one Redis: the streams are spread over them. */
  urls?: string[]
  sample(): Promise<ServerSample>
  /** The server process's RSS read from /proc (Linux), which answers even when the server is too busy to. */
  rss?(): number | undefined
  stop(): Promise<void>
}

async function main(): Promise<void> {
  if (args.redis) redis = await startRedisServer()
  if (instances > 1 && (args.url !== undefined || args['in-process']))
    throw new Error('--instances spawns its servers: not with --url or --in-process')
  const server =
    args.url !== undefined
      ? runningServer(args.url)
      : args['in-process']
        ? await inProcessServer()
        : instances > 1
          ? combined(await Promise.all(Array.from({ length: instances }, () => spawnedServer())))
          : await spawnedServer()
  if (args.stuck !== undefined) return stuckReaders(server, positive(args.stuck, 'stuck'))
  // A hard stop: whatever happens, the run ends.
  const deadline = setTimeout(
    () => {
      console.error('load: the run overran its time limit; stopping')
      void server
        .stop()
        .then(() => redis?.stop())
        .finally(() => process.exit(2))
    },
    (seconds + rampMs / 1000 + 60) * 1000,
  )
  deadline.unref()

  console.log(
    `load: ${streams} ${transport.toUpperCase()} streams × ${rate} tokens/s × ${seconds} s (${tokens} tokens each), ramp ${rampMs / 1000} s, server ${args['in-process'] ? 'in-process' : 'spawned'} on ${server.url}${redis ? `, resumable streams in Redis (${redis.url})` : ''}`,
  )
  let peakRss = 0
  let peakHeap = 0
  const sampler = setInterval(async () => {
    const sample = await server.sample().catch(() => undefined)
    if (!sample) return
    peakRss = Math.max(peakRss, sample.rssBytes)
    peakHeap = Math.max(peakHeap, sample.heapUsedBytes)
  }, 1000)

  const before = await server.sample()
  const clientCpu = process.cpuUsage()
  const startedAt = performance.now()
  const results = await Promise.all(
    Array.from({ length: streams }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, (rampMs * i) / streams))
      const url = server.urls?.[i % server.urls.length] ?? server.url
      return transport === 'ws' ? wsStream(url, i) : sseStream(url, i)
    }),
  )
  const elapsedS = (performance.now() - startedAt) / 1000
  clearInterval(sampler)
  const after = await server.sample()
  peakRss = Math.max(peakRss, after.rssBytes)
  peakHeap = Math.max(peakHeap, after.heapUsedBytes)
  await server.stop()
  clearTimeout(deadline)
  const redisAtEnd = redis ? await redisMemory(redis.port) : undefined

  const failed = results.filter((result) => result.error !== undefined)
  const ttfts = results.flatMap((result) => (result.ttftMs === undefined ? [] : [result.ttftMs]))
  const gaps = results.flatMap((result) => result.gapsMs)
  const received = results.reduce((sum, result) => sum + result.tokens, 0)
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
  console.log(`completed      ${streams - failed.length}/${streams} streams in ${elapsedS.toFixed(1)} s`)
  console.log(`errors         ${failed.length}${failed.length ? ` (first: ${failed[0]?.error})` : ''}`)
  console.log(
    `TTFT           p50 ${ms(percentile(ttfts, 50))}  p99 ${ms(percentile(ttfts, 99))}  max ${ms(percentile(ttfts, 100))}`,
  )
  console.log(
    `inter-token    p50 ${ms(percentile(gaps, 50))}  p99 ${ms(percentile(gaps, 99))}  max ${ms(percentile(gaps, 100))}  (target ${ms(1000 / rate)})`,
  )
  console.log(`tokens         ${received} received, ${Math.round(received / elapsedS)}/s overall`)
  console.log(`server memory  peak rss ${mb(peakRss)}, peak heap ${mb(peakHeap)}; at the end rss ${mb(after.rssBytes)}`)
  const cpuS = (after.cpuMs - before.cpuMs) / 1000
  const whose = args['in-process'] ? ' (clients included)' : ''
  const percent = (seconds: number) => `${Math.round((100 * seconds) / elapsedS)}% of one core`
  console.log(`server cpu     ${cpuS.toFixed(1)} s over the run, ${percent(cpuS)}${whose}`)
  if (!args['in-process']) {
    const client = process.cpuUsage(clientCpu)
    const clientS = (client.user + client.system) / 1e6
    console.log(`client cpu     ${clientS.toFixed(1)} s, ${percent(clientS)}; load average ${loadavg()[0]?.toFixed(2)}`)
  }
  if (redis && redisAtEnd) {
    console.log(`redis memory   ${mb(redisAtEnd.usedBytes)} used, ${redisAtEnd.keys} keys at the end`)
    // Streams expire the retention window (60 s) after their last event: wait for the keys to go.
    const waitUntil = performance.now() + 75_000
    let now = redisAtEnd
    while (now.keys > 0 && performance.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      now = await redisMemory(redis.port)
    }
    console.log(`redis memory   ${mb(now.usedBytes)} used, ${now.keys} keys after the retention window`)
    await redis.stop()
  }
  process.exitCode = failed.length > 0 ? 1 : 0
}

/** `INFO memory` and `DBSIZE` over a plain socket: the load test needs no Redis client of its own. */
function redisMemory(port: number): Promise<{ usedBytes: number; keys: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, HOST, () => socket.write('INFO memory\r\nDBSIZE\r\n'))
    let text = ''
    socket.setEncoding('utf8')
    socket.setTimeout(5000, () => socket.destroy(new Error('redis: no answer')))
    socket.on('data', (chunk: string) => {
      text += chunk
      const keys = /\r\n:(\d+)\r\n$/.exec(text)
      const used = /used_memory:(\d+)/.exec(text)
      if (keys?.[1] && used?.[1]) {
        socket.end()
        resolve({ usedBytes: Number(used[1]), keys: Number(keys[1]) })
      }
    })
    socket.on('error', reject)
  })
}

/** Several spawned servers as one: streams go round-robin, memory and CPU are their sums. */
function combined(servers: ServerHandle[]): ServerHandle {
  return {
    url: servers.map((server) => server.url).join(', '),
    urls: servers.map((server) => server.url),
    sample: async () => {
      const samples = await Promise.all(servers.map((server) => server.sample()))
      return samples.reduce((sum, sample) => ({
        rssBytes: sum.rssBytes + sample.rssBytes,
        heapUsedBytes: sum.heapUsedBytes + sample.heapUsedBytes,
        cpuMs: sum.cpuMs + sample.cpuMs,
      }))
    },
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()))
    },
  }
}

/** One SSE stream; token times are taken as each chunk arrives. */
function sseStream(url: string, index: number): Promise<StreamResult> {
  return new Promise((resolve) => {
    const result: StreamResult = { gapsMs: [], tokens: 0 }
    const body = JSON.stringify({
      model: 'rivulet-sim',
      stream: true,
      messages: [{ role: 'user', content: `Load test question ${index}` }],
      rivulet: { tokens, tokensPerSecond: rate, ttftMs: 0, jitter: 0, burstiness: 0 },
    })
    const sentAt = performance.now()
    let last = 0
    let done = false
    let buffer = ''
    const req = request(
      `${url}/v1/chat/completions`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(redis ? { 'x-rivulet-resumable': '1' } : {}) },
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) {
          result.error = `HTTP ${res.statusCode}`
          res.resume()
          res.on('end', () => resolve(result))
          return
        }
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          const at = performance.now()
          buffer += chunk
          const end = buffer.lastIndexOf('\n\n')
          if (end === -1) return
          const complete = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          for (const event of complete.split('\n\n')) {
            if (event.endsWith('data: [DONE]')) done = true
            else if (event.includes('"content":"') && !event.includes('"content":""')) {
              result.tokens++
              if (result.ttftMs === undefined) result.ttftMs = at - sentAt
              else result.gapsMs.push(at - last)
              last = at
            }
          }
        })
        res.on('end', () => {
          if (!done) result.error = 'ended without [DONE]'
          resolve(result)
        })
        res.on('error', (error) => {
          result.error = error.message
          resolve(result)
        })
      },
    )
    req.on('error', (error) => {
      result.error = error.message
      resolve(result)
    })
    req.end(body)
  })
}

/** One stream over its own WebSocket. */
function wsStream(url: string, index: number): Promise<StreamResult> {
  return new Promise((resolve) => {
    const result: StreamResult = { gapsMs: [], tokens: 0 }
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`)
    let sentAt = 0
    let last = 0
    socket.on('open', () => {
      sentAt = performance.now()
      socket.send(
        JSON.stringify({
          type: 'start',
          id: `load-${index}`,
          request: {
            messages: [{ role: 'user', content: `Load test question ${index}` }],
            rivulet: { tokens, tokensPerSecond: rate, ttftMs: 0, jitter: 0, burstiness: 0 },
          },
        }),
      )
    })
    socket.on('message', (data) => {
      const at = performance.now()
      const frame = JSON.parse(data.toString()) as {
        type: string
        part?: { type: string }
        error?: { message: string }
      }
      if (frame.type === 'part' && frame.part?.type === 'text-delta') {
        result.tokens++
        if (result.ttftMs === undefined) result.ttftMs = at - sentAt
        else result.gapsMs.push(at - last)
        last = at
      } else if (frame.type === 'end' || frame.type === 'error') {
        if (frame.type === 'error') result.error = frame.error?.message ?? 'error frame'
        socket.close()
      }
    })
    socket.on('close', () => {
      if (result.error === undefined && result.tokens !== tokens) result.error = `closed after ${result.tokens} tokens`
      resolve(result)
    })
    socket.on('error', (error) => {
      result.error = error.message
    })
  })
}

/**
 * N clients that send a request for the longest answer and then read nothing: what they cost
 * the server while it holds them.
 */
async function stuckReaders(server: ServerHandle, count: number): Promise<void> {
  const { hostname, port } = new URL(server.url)
  const deadline = setTimeout(
    () => {
      console.error('load: the stuck-reader run overran its time limit; stopping')
      process.exit(2)
    },
    (seconds + 60) * 1000,
  )
  deadline.unref()
  const body = JSON.stringify({
    model: 'rivulet-sim',
    stream: true,
    messages: [{ role: 'user', content: 'Write the longest answer you can' }],
    rivulet: { tokens: 32_768, tokensPerSecond: 0, ttftMs: 0 },
  })
  const before = await server.sample()
  console.log(`load: ${count} stuck SSE readers for ${seconds} s against ${server.url}`)
  const sockets: Socket[] = []
  let closedByServer = 0
  let peakRss = before.rssBytes
  let peakHeap = before.heapUsedBytes
  let unanswered = 0
  for (let i = 0; i < count; i++) {
    const socket = connect({ host: hostname, port: Number(port) })
    socket.on('error', () => {})
    socket.once('close', () => closedByServer++)
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    socket.pause()
    sockets.push(socket)
    // 200 a second: the figure is about holding them, not a connection storm.
    if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const startedAt = performance.now()
  let last = before
  while (performance.now() - startedAt < seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    // A server busy to saturation may miss a sample; the next one is tried all the same.
    const procRss = server.rss?.()
    if (procRss !== undefined) peakRss = Math.max(peakRss, procRss)
    const sample = await server.sample().catch(() => undefined)
    if (sample === undefined) {
      unanswered++
      continue
    }
    last = sample
    peakRss = Math.max(peakRss, sample.rssBytes)
    peakHeap = Math.max(peakHeap, sample.heapUsedBytes)
  }
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`
  console.log(`server before  rss ${mb(before.rssBytes)}, heap ${mb(before.heapUsedBytes)}`)
  if (unanswered > 0)
    console.log(`server         missed ${unanswered} memory samples (5 s each) while the readers were held`)
  console.log(`server held    peak rss ${mb(peakRss)}, peak heap ${mb(peakHeap)}; last rss ${mb(last.rssBytes)}`)
  console.log(
    `per reader     rss +${kb((peakRss - before.rssBytes) / count)}, heap +${kb((peakHeap - before.heapUsedBytes) / count)} (peak over baseline)`,
  )
  console.log(`connections    ${closedByServer} of ${count} closed by the server during the hold`)
  for (const socket of sockets) socket.destroy()
  await server.stop()
  clearTimeout(deadline)
}

/** VmRSS of a process, in bytes; undefined where /proc is not there. */
function procRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

/** A server someone else started: loopback only (`--pid` lets its RSS be read from /proc). */
function runningServer(url: string): ServerHandle {
  const { hostname } = new URL(url)
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) throw new Error('--url must be a loopback address')
  return {
    url: url.replace(/\/+$/, ''),
    sample: async () => {
      const health = (await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).json()) as {
        memory: { rssBytes: number; heapUsedBytes: number }
        cpu: { userMs: number; systemMs: number }
      }
      return { ...health.memory, cpuMs: health.cpu.userMs + health.cpu.systemMs }
    },
    rss: () => procRss(args.pid === undefined ? undefined : Number(args.pid)),
    stop: async () => {},
  }
}

async function inProcessServer(): Promise<ServerHandle> {
  const server = await startServer({
    port: 0,
    host: HOST,
    logger: false,
    limits: { rateLimit: false, maxConcurrentStreams: slots, maxStreamsPerClient: slots },
    ...(redis ? { store: optionsFromEnv({ RIVULET_REDIS_URL: redis.url }).store } : {}),
  })
  return {
    url: server.url,
    sample: async () => {
      const memory = process.memoryUsage()
      const cpu = process.cpuUsage()
      return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, cpuMs: (cpu.user + cpu.system) / 1000 }
    },
    stop: () => server.close(),
  }
}

async function spawnedServer(): Promise<ServerHandle> {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const profile = args.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${args.profile}`]
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', '--conditions=@rivulet/source', 'src/main.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        HOST,
        RIVULET_RATE_LIMIT: '0',
        RIVULET_MAX_STREAMS: String(slots),
        // Every stream comes from this one loopback address.
        RIVULET_MAX_STREAMS_PER_CLIENT: String(slots),
        RIVULET_LOG: 'off',
        ...(redis ? { RIVULET_REDIS_URL: redis.url } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', () => reject(new Error(`the server exited before listening: ${output}`)))
  })
  return {
    url,
    sample: async () => {
      const health = (await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).json()) as {
        memory: { rssBytes: number; heapUsedBytes: number }
        cpu: { userMs: number; systemMs: number }
      }
      return { ...health.memory, cpuMs: health.cpu.userMs + health.cpu.systemMs }
    },
    rss: () => procRss(child.pid),
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`
}

function positive(value: string | undefined, name: string): number {
  const number = Number(value)
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number`)
  return number
}

await main()
