/**
 * Resumable streams: `GET /v1/streams/:id` with `Last-Event-ID` replays the events after it
 * exactly once, then goes on live; `DELETE /v1/streams/:id` stops the stream (the explicit
 * cancel, so that stop and resume never fight). See `RESUMABLE_HEADER` in @rivulet/core.
 */
import { STREAM_ID_HEADER } from '@rivulet/core'
import type { ServerContext } from '../context.js'
import { errorResponse } from '../errors.js'
import { type AppContext, dropConnection } from '../generate.js'
import { sseBody, sseHeaders } from '../streams/sse.js'

export function resumeStream(ctx: ServerContext) {
  return async (c: AppContext): Promise<Response> => {
    const id = c.req.param('id') ?? ''
    const info = await ctx.store.info(id)
    if (info === undefined)
      return errorResponse('openai', {
        status: 404,
        message: `No stream ${id}: it never existed, was cancelled, or its retention window ended`,
        code: 'stream_not_found',
      })
    const flavor = info.format === 'anthropic' ? 'anthropic' : 'openai'
    if (info.format === 'ws')
      return errorResponse(flavor, {
        status: 409,
        message: `Stream ${id} was started over the WebSocket: resume it there with a resume frame`,
        code: 'wrong_transport',
      })
    const header = c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? '0'
    const after = /^\d{1,15}$/.test(header.trim()) ? Number(header.trim()) : Number.NaN
    if (!Number.isSafeInteger(after))
      return errorResponse(flavor, {
        status: 400,
        message: 'last-event-id: must be an event id (0, 1, 2…)',
        param: 'last-event-id',
      })
    if (after > info.lastSeq && info.done)
      return errorResponse(flavor, {
        status: 400,
        message: `last-event-id: ${after} is past the stream's last event (${info.lastSeq})`,
        param: 'last-event-id',
      })
    if (after + 1 < info.firstSeq)
      return errorResponse(flavor, {
        status: 410,
        message: `The events after ${after} are no longer retained (the oldest held is ${info.firstSeq})`,
        code: 'events_trimmed',
      })

    let closed!: () => void
    c.set(
      'streamClosed',
      new Promise<void>((resolve) => (closed = resolve)).then(() => 0),
    )
    const body = sseBody((follower) => ctx.store.follow(id, after, follower), {
      keepaliveMs: ctx.keepaliveMs,
      drop: () => dropConnection(c),
      onClose: () => closed(),
    })
    return new Response(body, { status: 200, headers: sseHeaders({ [STREAM_ID_HEADER]: id }) })
  }
}

export function cancelStream(ctx: ServerContext) {
  return async (c: AppContext): Promise<Response> => {
    const id = c.req.param('id') ?? ''
    // Unknown ids are remembered by the store too: a stream that starts later with it is stopped.
    const known = (await ctx.store.cancel(id)) || ctx.pending.has(id)
    if (known) return c.body(null, 204)
    return errorResponse('openai', { status: 404, message: `No stream ${id}`, code: 'stream_not_found' })
  }
}
