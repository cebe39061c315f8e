import { describe, expect, it } from 'vitest'
import { EventsTrimmedError, MemoryLog, type StoredEvent } from './log.js'
import { MemoryStreamStore } from './store.js'

async function take(events: AsyncIterable<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = []
  if (count === 0) return out
  for await (const event of events) {
    out.push(event)
    if (out.length === count) break
  }
  return out
}

async function all(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = []
  for await (const event of events) out.push(event)
  return out
}

describe('MemoryLog', () => {
  it('replays from any position, then follows live appends until the end', async () => {
    const log = new MemoryLog()
    log.append('a')
    log.append('b')
    const reading = all(log.read(1, new AbortController().signal))
    log.append('c')
    log.end()
    expect(await reading).toEqual([
      { seq: 2, data: 'b' },
      { seq: 3, data: 'c' },
    ])
  })

  it('a consuming reader frees each event once read', async () => {
    const log = new MemoryLog()
    for (const data of ['a', 'b', 'c']) log.append(data)
    log.end()
    expect((await all(log.read(0, new AbortController().signal, true))).map((event) => event.data)).toEqual([
      'a',
      'b',
      'c',
    ])
    expect(log.bytes).toBe(0)
    expect(log.firstSeq).toBe(4)
  })

  it('stops a waiting reader when its signal aborts', async () => {
    const log = new MemoryLog()
    const controller = new AbortController()
    const reading = all(log.read(0, controller.signal))
    controller.abort()
    expect(await reading).toEqual([])
    expect(log.readers).toBe(0)
  })

  it('tells a reader whose position was trimmed', async () => {
    const log = new MemoryLog()
    for (const data of ['a', 'b', 'c']) log.append(data)
    log.trim(2)
    await expect(all(log.read(0, new AbortController().signal))).rejects.toBeInstanceOf(EventsTrimmedError)
  })
})

describe('MemoryStreamStore', () => {
  it('keeps a stream’s events for readers anywhere, and ends them with the stream', async () => {
    const store = new MemoryStreamStore()
    expect(await store.create('s', 'openai-chat')).toBe('created')
    expect(await store.create('s', 'openai-chat')).toBe('exists')
    await store.append('s', 'one')
    const live = all(store.read('s', 0, new AbortController().signal))
    await store.append('s', 'two')
    await store.end('s')
    expect((await live).map((event) => event.data)).toEqual(['one', 'two'])
    expect(await store.info('s')).toEqual({ id: 's', format: 'openai-chat', lastSeq: 2, firstSeq: 1, done: true })
    await store.close()
  })

  it('cancel stops the producer, forgets the stream and refuses the id afterwards', async () => {
    const store = new MemoryStreamStore()
    await store.create('s', 'ws')
    let cancelled = 0
    store.onCancel('s', () => cancelled++)
    expect(await store.cancel('s')).toBe(true)
    expect(cancelled).toBe(1)
    expect(await store.info('s')).toBeUndefined()
    expect(await store.create('s', 'ws')).toBe('cancelled')
    // Unknown ids are remembered too: a cancel may overtake its stream.
    expect(await store.cancel('later')).toBe(false)
    expect(await store.create('later', 'ws')).toBe('cancelled')
    await store.close()
  })

  it('is bounded in streams: ended ones make room, live ones do not', async () => {
    const store = new MemoryStreamStore({ maxStreams: 2 })
    await store.create('a', 'anthropic')
    await store.create('b', 'anthropic')
    expect(await store.create('c', 'anthropic')).toBe('full')
    await store.end('a')
    expect(await store.create('c', 'anthropic')).toBe('created')
    expect(await store.info('a')).toBeUndefined()
    await store.close()
  })

  it('is bounded in bytes: ended streams go first, then the oldest events of the growing one', async () => {
    const store = new MemoryStreamStore({ maxBytes: 100 })
    await store.create('old', 'openai-chat')
    await store.append('old', 'x'.repeat(60))
    await store.end('old')
    await store.create('new', 'openai-chat')
    await store.append('new', 'y'.repeat(50))
    expect(await store.info('old')).toBeUndefined()
    await store.append('new', 'z'.repeat(50))
    await store.append('new', 'w'.repeat(50))
    expect(store.size().bytes).toBeLessThanOrEqual(100)
    expect(await store.info('new')).toMatchObject({ firstSeq: 2, lastSeq: 3 })
    await expect(take(store.read('new', 0, new AbortController().signal), 1)).rejects.toBeInstanceOf(EventsTrimmedError)
    await store.close()
  })

  it('forgets ended streams after the window, and stops live ones nobody reads for as long', async () => {
    let now = 0
    const store = new MemoryStreamStore({ retentionMs: 1000, now: () => now })
    await store.create('ended', 'openai-chat')
    await store.end('ended')
    await store.create('abandoned', 'openai-chat')
    let stopped = false
    store.onCancel('abandoned', () => (stopped = true))
    await store.create('watched', 'openai-chat')
    const controller = new AbortController()
    const reading = all(store.read('watched', 0, controller.signal))
    now = 1500
    await store.create('trigger', 'openai-chat') // creating sweeps
    expect(await store.info('ended')).toBeUndefined()
    expect(await store.info('abandoned')).toBeUndefined()
    expect(stopped).toBe(true)
    expect(await store.info('watched')).toBeDefined()
    controller.abort()
    await reading
    await store.close()
  })
})
