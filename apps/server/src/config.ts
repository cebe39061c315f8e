/** Server options from environment variables, for `pnpm start` and containers. */
import { RedisStreamStore } from '@rivulet/server'
import type { ServerOptions } from './server.js'

/**
 * - `PORT` (8787), `HOST` (127.0.0.1)
 * - `RIVULET_UPSTREAM_URL`, `RIVULET_UPSTREAM_API_KEY`: relay other models to an OpenAI-compatible server
 * - `RIVULET_CORS_ORIGINS`: comma-separated allowed origins, `*` for any (default: localhost origins)
 * - `RIVULET_ALLOWED_HOSTS`: comma-separated `Host` names served besides loopback ones, `*` for any
 * - `RIVULET_MAX_STREAMS_PER_CLIENT`: concurrent streams per client IP or socket (default 32)
 * - `RIVULET_RATE_LIMIT`: requests per minute per client, `0` for none (default 1200)
 * - `RIVULET_MAX_STREAMS`: concurrent streams (default 2000)
 * - `RIVULET_LOG`: `off` silences the request log
 * - `RIVULET_REDIS_URL`: `redis://host:port`: resumable streams live in Redis (`RedisStreamStore`),
 *   so several instances behind a load balancer can resume and cancel each other's streams
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerOptions {
  const options: ServerOptions = {}
  const port = integer(env.PORT, 'PORT')
  if (port !== undefined) options.port = port
  if (env.HOST) options.host = env.HOST
  if (env.RIVULET_UPSTREAM_URL) {
    options.upstream = { url: env.RIVULET_UPSTREAM_URL }
    if (env.RIVULET_UPSTREAM_API_KEY) options.upstream.apiKey = env.RIVULET_UPSTREAM_API_KEY
  }
  if (env.RIVULET_CORS_ORIGINS) options.corsOrigins = list(env.RIVULET_CORS_ORIGINS)
  if (env.RIVULET_ALLOWED_HOSTS) options.allowedHosts = list(env.RIVULET_ALLOWED_HOSTS)
  if (env.RIVULET_LOG === 'off') options.logger = false
  if (env.RIVULET_REDIS_URL) options.store = redisStore(env.RIVULET_REDIS_URL)
  const rate = integer(env.RIVULET_RATE_LIMIT, 'RIVULET_RATE_LIMIT')
  const maxStreams = integer(env.RIVULET_MAX_STREAMS, 'RIVULET_MAX_STREAMS')
  const perClient = integer(env.RIVULET_MAX_STREAMS_PER_CLIENT, 'RIVULET_MAX_STREAMS_PER_CLIENT')
  if (rate !== undefined || maxStreams !== undefined || perClient !== undefined) {
    options.limits = {}
    if (rate !== undefined) options.limits.rateLimit = rate === 0 ? false : { requestsPerMinute: rate }
    if (maxStreams !== undefined) options.limits.maxConcurrentStreams = maxStreams
    if (perClient !== undefined) options.limits.maxStreamsPerClient = perClient
  }
  return options
}

function redisStore(url: string): RedisStreamStore {
  if (!/^rediss?:\/\/[^/\s]+/.test(url.trim()))
    throw new Error(`RIVULET_REDIS_URL must be a redis:// or rediss:// URL, got "${url}"`)
  let reported = false
  // The host only: the URL may carry a password.
  const where = new URL(url.trim()).host
  return new RedisStreamStore({
    url: url.trim(),
    // The client reconnects by itself; one line says Redis is unreachable, not one per retry.
    onError: (error) => {
      if (reported) return
      reported = true
      console.error(`Redis at ${where}: ${error instanceof Error ? error.message : String(error)}`)
    },
  })
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0) throw new Error(`${name} must be a whole number, got "${value}"`)
  return number
}
