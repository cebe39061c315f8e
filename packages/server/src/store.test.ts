/**
 * The `StreamStore` contract, run over every store: what the server relies on, whichever
 * store it is given. The Redis store runs against its own redis-server (see `testing/`).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { MemoryStreamStore } from './memory-store.js'
import { RedisStreamStore } from './redis-store.js'
import type { StreamStore } from './store.js'
import { data, recorder } from './testing/recorder.js'
import {
  announceSkippedRedisTests,
  type RedisServer,
  redisTestsEnabled,
  startRedisServer,
} from './testing/redis-server.js'

interface StoreKind {
  name: string
  enabled: boolean
  /** Several instances share its streams (`peer()` makes another). */
  shared: boolean
  setup(): Promise<void>
  teardown(): Promise<void>
  /** A fresh store; `peer` is a second instance on the same shared state, where the store has one. */
  make(): StreamStore
  peer(): StreamStore | undefined
}

let redis: RedisServer | undefined
let prefixes = 0
let redisPrefix = ''

const kinds: StoreKind[] = [
  {
    name: 'MemoryStreamStore',
    enabled: true,
    shared: false,
    setup: async () => {},
    teardown: async () => {},
    make: () => new MemoryStreamStore(),
    peer: () => undefined,
  },
  {
    name: 'RedisStreamStore',
    enabled: redisTestsEnabled(),
    shared: true,
    setup: async () => {
      redis = await startRedisServer()
    },
    teardown: async () => {
      await redis?.stop()
    },
    make: () => {
      // Each test its own prefix: nothing one leaves behind reaches another.
      redisPrefix = `t${++prefixes}:`
      return new RedisStreamStore({ url: redis?.url ?? '', prefix: redisPrefix })
    },
    peer: () => new RedisStreamStore({ url: redis?.url ?? '', prefix: redisPrefix }),
  },
]

announceSkippedRedisTests()

describe.each(kinds)('$name', (kind) => {
  const open: StreamStore[] = []
  const store = () => {
    const made = kind.make()
    open.push(made)
    return made
  }
  const peerOf = () => {
    const made = kind.peer()
    if (made) open.push(made)
    return made
  }

  beforeAll(async () => {
    if (kind.enabled) await kind.setup()
  })
  afterAll(async () => {
    await Promise.all(open.map((made) => made.close()))
    if (kind.enabled) await kind.teardown()
  })

  it.skipIf(!kind.enabled)('keeps a stream’s events for readers anywhere, and ends them with the stream', async () => {
    const s = store()
    expect(await s.create('s', 'openai-chat')).toBe('created')
    expect(await s.create('s', 'openai-chat')).toBe('exists')
    expect(await s.append('s', 'one')).toBe(1)
    const { got, follower } = recorder()
    s.follow('s', 0, follower)
    await vi.waitFor(() => expect(data(got.events)).toEqual(['one']))
    expect(await s.append('s', 'two')).toBe(2)
    await vi.waitFor(() => expect(data(got.events)).toEqual(['one', 'two']))
    await s.end('s')
    await vi.waitFor(() => expect(got.ended).toBe(true))
    expect(got.events.map((event) => event.seq)).toEqual([1, 2])
    expect(await s.info('s')).toEqual({ id: 's', format: 'openai-chat', lastSeq: 2, firstSeq: 1, done: true })
    expect(await s.info('unknown')).toBeUndefined()
  })

  it.skipIf(!kind.enabled)('replays from any position exactly once, then goes on live', async () => {
    const s = store()
    await s.create('r', 'anthropic')
    for (const value of ['a', 'b', 'c']) await s.append('r', value)
    const { got, follower } = recorder()
    s.follow('r', 1, follower)
    await vi.waitFor(() => expect(data(got.events)).toEqual(['b', 'c']))
    for (const value of ['d', 'e']) await s.append('r', value)
    await s.end('r')
    await vi.waitFor(() => expect(got.ended).toBe(true))
    expect(got.events).toEqual([
      { seq: 2, data: 'b' },
      { seq: 3, data: 'c' },
      { seq: 4, data: 'd' },
      { seq: 5, data: 'e' },
    ])
    // A finished stream replays for a late reader too.
    const late = recorder()
    s.follow('r', 3, late.follower)
    await vi.waitFor(() => expect(late.got.ended).toBe(true))
    expect(data(late.got.events)).toEqual(['d', 'e'])
  })

  it.skipIf(!kind.enabled)(
    'a paused reader catches up when resumed, missing nothing and repeating nothing',
    async () => {
      const s = store()
      await s.create('p', 'ws')
      const { got, follower } = recorder(2)
      const subscription = s.follow('p', 0, follower)
      for (const value of ['a', 'b', 'c', 'd']) await s.append('p', value)
      await vi.waitFor(() => expect(data(got.events)).toEqual(['a', 'b']))
      subscription?.resume()
      await vi.waitFor(() => expect(data(got.events)).toEqual(['a', 'b', 'c', 'd']))
      await s.append('p', 'e')
      await s.end('p')
      await vi.waitFor(() => expect(got.ended).toBe(true))
      expect(data(got.events)).toEqual(['a', 'b', 'c', 'd', 'e'])
    },
  )

  it.skipIf(!kind.enabled)('a closed subscription gets nothing more', async () => {
    const s = store()
    await s.create('x', 'ws')
    const { got, follower } = recorder()
    s.follow('x', 0, follower)?.close()
    await s.append('x', 'a')
    await s.end('x')
    const witness = recorder()
    s.follow('x', 0, witness.follower)
    await vi.waitFor(() => expect(witness.got.ended).toBe(true))
    expect(got).toEqual({ events: [], ended: false, error: undefined })
  })

  it.skipIf(!kind.enabled)(
    'cancel stops the producer, ends the readers, forgets the stream and refuses the id afterwards',
    async () => {
      const s = store()
      await s.create('s', 'ws')
      let cancelled = 0
      s.onCancel('s', () => cancelled++)
      const { got, follower } = recorder()
      s.follow('s', 0, follower)
      await s.append('s', 'a')
      await vi.waitFor(() => expect(data(got.events)).toEqual(['a']))
      expect(await s.cancel('s')).toBe(true)
      await vi.waitFor(() => expect(got.ended).toBe(true))
      expect(cancelled).toBe(1)
      expect(await s.info('s')).toBeUndefined()
      expect(await s.create('s', 'ws')).toBe('cancelled')
    },
  )

  it.skipIf(!kind.enabled)(
    'a cancel that comes before its stream is remembered: the stream starts cancelled',
    async () => {
      const s = store()
      expect(await s.cancel('later')).toBe(false)
      expect(await s.create('later', 'ws')).toBe('cancelled')
      const peer = peerOf()
      if (peer) expect(await peer.create('later', 'ws')).toBe('cancelled')
    },
  )

  it.skipIf(!kind.enabled || !kind.shared)(
    'across instances: a reader on one follows a stream generated on another, and a cancel on it stops the producer',
    async () => {
      const producer = store()
      const peer = peerOf()
      if (peer === undefined) return
      await producer.create('shared', 'openai-chat')
      let stopped = false
      producer.onCancel('shared', () => (stopped = true))
      for (const value of ['a', 'b']) producer.append('shared', value)
      const { got, follower } = recorder()
      peer.follow('shared', 1, follower)
      await vi.waitFor(() => expect(data(got.events)).toEqual(['b']))
      producer.append('shared', 'c')
      await vi.waitFor(() => expect(data(got.events)).toEqual(['b', 'c']))
      expect(await peer.info('shared')).toMatchObject({ lastSeq: 3, firstSeq: 1, done: false })
      expect(await peer.cancel('shared')).toBe(true)
      await vi.waitFor(() => expect(stopped).toBe(true))
      await vi.waitFor(() => expect(got.ended).toBe(true))
    },
  )
})
