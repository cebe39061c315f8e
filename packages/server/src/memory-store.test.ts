import { describe, expect, it } from 'vitest'
import { EventsTrimmedError } from './log.js'
import { MemoryStreamStore } from './memory-store.js'
import { data, recorder } from './testing/recorder.js'

describe('MemoryStreamStore', () => {
  it('keeps a stream’s events for readers anywhere, and ends them with the stream', async () => {
    const store = new MemoryStreamStore()
    expect(await store.create('s', 'openai-chat')).toBe('created')
    expect(await store.create('s', 'openai-chat')).toBe('exists')
    expect(store.append('s', 'one')).toBe(1)
    const { got, follower } = recorder()
    store.follow('s', 0, follower)
    store.append('s', 'two')
    await store.end('s')
    expect(data(got.events)).toEqual(['one', 'two'])
    expect(got.ended).toBe(true)
    expect(await store.info('s')).toEqual({ id: 's', format: 'openai-chat', lastSeq: 2, firstSeq: 1, done: true })
    expect(store.follow('unknown', 0, recorder().follower)).toBeUndefined()
    await store.close()
  })

  it('cancel stops the producer, ends the readers, forgets the stream and refuses the id afterwards', async () => {
    const store = new MemoryStreamStore()
    await store.create('s', 'ws')
    let cancelled = 0
    store.onCancel('s', () => cancelled++)
    const { got, follower } = recorder()
    store.follow('s', 0, follower)
    expect(await store.cancel('s')).toBe(true)
    expect(cancelled).toBe(1)
    expect(got.ended).toBe(true)
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
    store.append('old', 'x'.repeat(60))
    await store.end('old')
    await store.create('new', 'openai-chat')
    store.append('new', 'y'.repeat(50))
    expect(await store.info('old')).toBeUndefined()
    store.append('new', 'z'.repeat(50))
    store.append('new', 'w'.repeat(50))
    expect(store.size().bytes).toBeLessThanOrEqual(100)
    expect(await store.info('new')).toMatchObject({ firstSeq: 2, lastSeq: 3 })
    const { got, follower } = recorder()
    store.follow('new', 0, follower)
    expect(got.error).toBeInstanceOf(EventsTrimmedError)
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
    const watching = store.follow('watched', 0, recorder().follower)
    now = 1500
    await store.create('trigger', 'openai-chat') // creating sweeps
    expect(await store.info('ended')).toBeUndefined()
    expect(await store.info('abandoned')).toBeUndefined()
    expect(stopped).toBe(true)
    expect(await store.info('watched')).toBeDefined()
    // Once its reader leaves, its window starts.
    watching?.close()
    now = 2000
    await store.create('trigger-2', 'openai-chat')
    expect(await store.info('watched')).toBeDefined()
    now = 2600
    await store.create('trigger-3', 'openai-chat')
    expect(await store.info('watched')).toBeUndefined()
    await store.close()
  })
})
