/**
 * `@rivulet/core/testing`: transports whose parts a test pushes by hand, for unit tests of code
 * built on a session (hooks, components) that need no network and no mocked HTTP.
 */
import { StreamError } from '../errors.js'
import type { StreamPart } from '../types.js'
import type { Transport, TransportRequest } from './transport.js'

/** A part to deliver, an error to throw, or `'end'` to end the stream. */
export type ControlledItem = StreamPart | StreamError | 'end'

export interface ControlledStream {
  /** Queues an item for the stream; it is delivered in order, when the consumer reads. */
  push(item: ControlledItem): void
  /**
   * The stream for one request: yields what was pushed, reports activity for each part, and
   * throws `StreamError` kind `aborted` as soon as the request's signal aborts.
   */
  stream(request: TransportRequest): AsyncGenerator<StreamPart>
}

/** One stream fed by `push`. */
export function controlledStream(): ControlledStream {
  const queue: ControlledItem[] = []
  let wake: (() => void) | undefined
  return {
    push(item) {
      queue.push(item)
      wake?.()
    },
    async *stream(request) {
      let abort = () => {}
      const aborted = new Promise<never>((_, reject) => {
        abort = () => reject(new StreamError('aborted', 'The request was aborted'))
        if (request.signal.aborted) abort()
        else request.signal.addEventListener('abort', abort, { once: true })
      })
      aborted.catch(() => {})
      try {
        while (true) {
          if (queue.length === 0) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted])
          const item = queue.shift()
          if (item === undefined) continue
          if (item === 'end') return
          if (item instanceof StreamError) throw item
          request.onActivity?.()
          yield item
        }
      } finally {
        request.signal.removeEventListener('abort', abort)
      }
    },
  }
}

export interface ControlledTransport {
  transport: Transport
  /** Every request the transport was called with, oldest first. */
  requests: TransportRequest[]
  /** Feeds the stream of the latest request; throws when there has been none. */
  push(item: ControlledItem): void
}

/** A transport that opens a new controlled stream per request; `push` feeds the latest. */
export function controlledTransport(): ControlledTransport {
  const requests: TransportRequest[] = []
  let current: ControlledStream | undefined
  return {
    requests,
    transport(request) {
      requests.push(request)
      current = controlledStream()
      return current.stream(request)
    },
    push(item) {
      if (!current) throw new Error('controlledTransport: push before any request')
      current.push(item)
    },
  }
}
