import { contentTypeOf } from '@rivulet/core'
import type { Follower, Subscription } from '@rivulet/server'
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

/** Bytes queued for the socket before this body stops taking more from the log. */
const HIGH_WATER_BYTES = 16 * 1024

/**
 * A response body that writes each event with its `id:`. Events are pushed as they are
 * appended; when the client reads slower than they come, the body pauses and the events wait in
 * the log (which is bounded) until the client catches up. Events appended in one go (a burst,
 * a stream at full speed) leave as one chunk, after the code that appended them: one socket
 * write instead of one per event, which is most of what a fast stream costs.
 */
export function sseBody(
  follow: (follower: Follower) => Subscription | undefined,
  options: SseBodyOptions,
): ReadableStream<Uint8Array> {
  const { origin } = options
  let subscription: Subscription | undefined
  let delivered = 0
  let dropping = false
  let closed = false
  let wrote = true
  let keepalive: ReturnType<typeof setInterval> | undefined
  let stopMarkers: (() => void) | undefined
  let controller!: ReadableStreamDefaultController<Uint8Array>
  /** Events taken from the log and not yet enqueued: flushed once the appending code is done. */
  let pending = ''
  let flushing = false
  const flush = () => {
    flushing = false
    if (pending === '' || closed) return
    const chunk = Buffer.from(pending)
    pending = ''
    controller.enqueue(chunk)
  }

  const close = (reason: 'end' | 'cancel') => {
    if (closed) return
    closed = true
    clearInterval(keepalive)
    stopMarkers?.()
    subscription?.close()
    options.onClose(reason)
  }

  const checkMarkers = () => {
    if (origin === undefined || dropping) return
    for (const marker of origin.takeMarkers(delivered)) {
      if (marker.type !== 'drop') continue
      dropping = true
      // After the events taken are handed to the response: the client gets every event before the cut.
      let tries = 0
      const dropOnceTaken = () => {
        const queued = pending !== '' || (controller.desiredSize ?? 0) < HIGH_WATER_BYTES
        if (queued && !closed && tries++ < 1000) setImmediate(dropOnceTaken)
        else options.drop()
      }
      setImmediate(dropOnceTaken)
      return
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController
        const keepaliveMs = options.keepaliveMs ?? 15_000
        keepalive = setInterval(() => {
          if (!wrote && !closed && !dropping) controller.enqueue(encoder.encode(': keepalive\n\n'))
          wrote = false
        }, keepaliveMs)
        keepalive.unref?.()
        stopMarkers = origin?.onMarker(checkMarkers)
        subscription = follow({
          event(event) {
            // Past a drop point nothing more goes out on this connection.
            if (closed || dropping) return false
            pending += `id: ${event.seq}\n${event.data}`
            if (!flushing) {
              flushing = true
              queueMicrotask(flush)
            }
            wrote = true
            delivered = event.seq
            checkMarkers()
            return (controller.desiredSize ?? 0) - pending.length > 0
          },
          end() {
            if (closed) return
            flush()
            close('end')
            controller.close()
          },
          error() {
            // The events are gone (trimmed past this reader): cut the connection, as a drop would.
            close('end')
            dropping = true
            options.drop()
          },
        })
        if (subscription === undefined && !closed) {
          close('end')
          controller.close()
        }
      },
      pull() {
        subscription?.resume()
      },
      cancel() {
        close('cancel')
      },
    },
    { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  )
}
