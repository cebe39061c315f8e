import { StreamError, type StreamPart, type Transport, type TransportRequest } from '@rivulet/core'

type Item = StreamPart | StreamError | 'end'

/**
 * A transport whose parts the test pushes, one async generator per request; records every
 * request. `push` feeds the latest request; an abort ends it with an `aborted` error.
 */
export function controlledTransport() {
  const requests: TransportRequest[] = []
  let push: (item: Item) => void = () => {
    throw new Error('No request yet')
  }
  const transport: Transport = (request) => {
    requests.push(request)
    const queue: Item[] = []
    let wake: (() => void) | undefined
    push = (item) => {
      queue.push(item)
      wake?.()
    }
    return (async function* () {
      const aborted = new Promise<never>((_, reject) =>
        request.signal.addEventListener('abort', () => reject(new StreamError('aborted', 'aborted')), { once: true }),
      )
      aborted.catch(() => {})
      while (true) {
        if (queue.length === 0) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted])
        const item = queue.shift()
        if (item === undefined) continue
        if (item === 'end') return
        if (item instanceof StreamError) throw item
        yield item
      }
    })()
  }
  return { transport, requests, push: (item: Item) => push(item) }
}

export const text = (value: string): StreamPart => ({ type: 'text-delta', text: value })
export const reasoning = (value: string): StreamPart => ({ type: 'reasoning-delta', text: value })
export const finish: StreamPart = { type: 'finish', reason: 'stop' }
