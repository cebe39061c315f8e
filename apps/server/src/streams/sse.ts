import { contentTypeOf } from '@rivulet/core'
import type { StoredEvent } from './log.js'
import type { StreamRun } from './run.js'

/**
 * Headers of every event stream. `no-cache` and `x-accel-buffering: no` keep proxies (nginx,
 * CDNs) from holding events back, which would turn a stream into one late burst.
 */
export function sseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': contentTypeOf('openai-chat'),
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    ...extra,
  }
}

export interface SseBodyOptions {
  /** The run this connection started: its drop fault applies here, and only here. */
  origin?: StreamRun
  /** Cuts the connection without ending the response properly (the drop fault). */
  drop(): void
  /** The body ended: the stream is over, the client went away, or the connection was dropped. */
  onClose(reason: 'end' | 'cancel'): void
  /** A comment line after this long without an event, so idle proxies keep the connection. Default 15 s. */
  keepaliveMs?: number
}

const encoder = new TextEncoder()

/**
 * A response body that writes each event with its `id:` as the client reads: pulled, so a slow
 * client never makes events pile up here (they wait in the log, which is bounded).
 */
export function sseBody(events: AsyncIterable<StoredEvent>, options: SseBodyOptions): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]()
  const { origin } = options
  let delivered = 0
  let dropping = false
  let closed = false
  let lastWriteAt = performance.now()
  let keepalive: ReturnType<typeof setInterval> | undefined
  let stopMarkers: (() => void) | undefined

  const close = (reason: 'end' | 'cancel') => {
    if (closed) return
    closed = true
    clearInterval(keepalive)
    stopMarkers?.()
    void iterator.return?.()
    options.onClose(reason)
  }

  const checkMarkers = () => {
    if (origin === undefined || dropping) return
    for (const marker of origin.takeMarkers(delivered)) {
      if (marker.item.type !== 'drop') continue
      dropping = true
      // After the chunks already queued are written out: the client gets every event before the cut.
      setImmediate(options.drop)
      return
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const keepaliveMs = options.keepaliveMs ?? 15_000
        keepalive = setInterval(() => {
          if (closed || performance.now() - lastWriteAt < keepaliveMs) return
          lastWriteAt = performance.now()
          controller.enqueue(encoder.encode(': keepalive\n\n'))
        }, keepaliveMs)
        keepalive.unref?.()
        stopMarkers = origin?.onMarker(checkMarkers)
        checkMarkers()
      },
      async pull(controller) {
        if (dropping || closed) return
        let result: IteratorResult<StoredEvent>
        try {
          result = await iterator.next()
        } catch {
          // The events are gone (trimmed past this reader): cut the connection, as a drop would.
          close('end')
          dropping = true
          options.drop()
          return
        }
        // Past a drop point nothing more goes out on this connection.
        if (closed || dropping) return
        if (result.done) {
          close('end')
          controller.close()
          return
        }
        const { seq, data } = result.value
        controller.enqueue(encoder.encode(`id: ${seq}\n${data}`))
        lastWriteAt = performance.now()
        delivered = seq
        checkMarkers()
      },
      cancel() {
        close('cancel')
      },
    },
    { highWaterMark: 0 },
  )
}
