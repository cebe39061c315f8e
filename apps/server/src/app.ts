/** The HTTP routes and their middleware, as a Hono app (Web-standard requests and responses). */
import { Hono } from 'hono'
import type { ServerContext } from './context.js'
import { cors } from './cors.js'
import { errorResponse, flavorOf } from './errors.js'
import type { AppEnv } from './generate.js'
import { chatCompletions } from './routes/chat-completions.js'
import { countTokens, messages } from './routes/messages.js'
import { getModel, listModels } from './routes/models.js'
import { cancelStream, resumeStream } from './routes/streams.js'
import { SIM_MODEL } from './sim/model.js'

export function createApp(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const startedAt = Date.now()

  app.use('*', requestLog(ctx))
  app.use('*', async (c, next) => {
    const host = c.req.header('host')
    if (ctx.isAllowedHost(host)) return next()
    return errorResponse(flavorOf(c.req.path), {
      status: 403,
      message: 'This server does not answer to that Host; add it to allowedHosts (RIVULET_ALLOWED_HOSTS)',
      code: 'host_not_allowed',
    })
  })
  app.use('*', cors(ctx.isAllowedOrigin))
  app.use('/v1/*', async (c, next) => {
    if (ctx.rateLimiter === undefined || c.req.method === 'OPTIONS') return next()
    const waitMs = ctx.rateLimiter.take(c.env?.incoming?.socket.remoteAddress ?? 'unknown')
    if (waitMs === 0) return next()
    return errorResponse(flavorOf(c.req.path), {
      status: 429,
      message: 'Rate limit reached for requests; retry later',
      code: 'rate_limit_exceeded',
      retryAfterS: Math.ceil(waitMs / 1000),
    })
  })

  app.get('/health', (c) => {
    const memory = process.memoryUsage()
    const cpu = process.cpuUsage()
    return c.json({
      status: ctx.closing ? 'closing' : 'ok',
      model: SIM_MODEL,
      upstream: ctx.upstream !== undefined,
      activeStreams: ctx.runs.size,
      streamsStarted: ctx.stats.streamsStarted,
      tokensGenerated: ctx.stats.tokensGenerated,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      cpu: { userMs: Math.round(cpu.user / 1000), systemMs: Math.round(cpu.system / 1000) },
    })
  })
  app.get('/v1/models', listModels(ctx))
  app.get('/v1/models/:id', getModel(ctx))
  app.post('/v1/chat/completions', chatCompletions(ctx))
  app.post('/v1/messages', messages(ctx))
  app.post('/v1/messages/count_tokens', countTokens(ctx))
  app.get('/v1/streams/:id', resumeStream(ctx))
  app.delete('/v1/streams/:id', cancelStream(ctx))

  app.notFound((c) =>
    errorResponse(flavorOf(c.req.path), { status: 404, message: `Unknown route: ${c.req.method} ${c.req.path}` }),
  )
  app.onError((error, c) => {
    ctx.logger?.error(`${c.req.method} ${c.req.path} failed`, error)
    return errorResponse(flavorOf(c.req.path), {
      status: 500,
      message: 'The server had an error processing the request',
    })
  })
  return app
}

/** One line per request once its response is over (streams: when the stream ends): method, path, status, duration, tokens. */
function requestLog(ctx: ServerContext) {
  return async (c: import('hono').Context<AppEnv>, next: () => Promise<void>) => {
    const startedAt = performance.now()
    ctx.stats.requests++
    await next()
    const logger = ctx.logger
    if (logger === undefined) return
    const { method, path } = c.req
    const status = c.res.status
    const write = (tokens: number) =>
      logger.info(
        `${new Date().toISOString()} ${method} ${path} ${status} ${Math.round(performance.now() - startedAt)}ms ${tokens} tokens`,
      )
    const closed = c.get('streamClosed')
    if (closed) void closed.then(write)
    else write(c.get('tokens') ?? 0)
  }
}
