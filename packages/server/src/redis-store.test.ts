/**
 * What only the Redis store has: state kept per instance, and Redis going away under it. The
 * contract both stores keep is in store.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Follower, StoredEvent } from './log.js'
import { RedisStreamStore } from './redis-store.js'
import {
  announceSkippedRedisTests,
  type RedisServer,
  redisTestsEnabled,
  startRedisServer,
} from './testing/redis-server.js'

function recorder() {
  const got = { events: [] as StoredEvent[], ended: false, error: undefined as Error | undefined }
  const follower: Follower = {
    event: (event) => {
      got.events.push(event)
      return true
    },
    end: () => {
      got.ended = true
    },
    error: (error) => {
      got.error = error
    },
  }
  return { got, follower }
}

announceSkippedRedisTests()

describe.skipIf(!redisTestsEnabled())('RedisStreamStore', () => {
  let redis: RedisServer
  const open: RedisStreamStore[] = []
  let prefixes = 0
  const pair = () => {
    const prefix = `r${++prefixes}:`
    const made = [0, 1].map(() => new RedisStreamStore({ url: redis.url, prefix, onError: () => {} }))
    open.push(...made)
    return made as [RedisStreamStore, RedisStreamStore]
  }

  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    await Promise.all(open.map((store) => store.close()))
    await redis?.stop()
  })

  it('keeps nothing on an instance once its streams have ended or been cancelled', async () => {
    const [a, b] = pair()
    await a.create('ends', 'openai-chat')
    await a.create('cancelled', 'openai-chat')
    const off = a.onCancel('cancelled', () => {})
    a.append('ends', 'x')
    const reader = recorder()
    b.follow('ends', 0, reader.follower)
    await a.end('ends')
    await vi.waitFor(() => expect(reader.got.ended).toBe(true))
    expect(await b.cancel('cancelled')).toBe(true)
    await vi.waitFor(() => expect(a.size()).toEqual({ producing: 0, readers: 0, cancelListeners: 0 }))
    off()
    expect(b.size()).toEqual({ producing: 0, readers: 0, cancelListeners: 0 })
  })

  it('a cancel that reaches the producing instance before its producer listens still stops it', async () => {
    const [a, b] = pair()
    await a.create('early', 'ws')
    await b.cancel('early')
    await vi.waitFor(() => expect(a.size().producing).toBe(0))
    let stopped = false
    a.onCancel('early', () => (stopped = true))
    await vi.waitFor(() => expect(stopped).toBe(true))
  })

  it('a reader of a stream whose instance died ends once the stream expires, instead of waiting forever', async () => {
    const prefix = `dead${++prefixes}:`
    const dying = new RedisStreamStore({ url: redis.url, prefix, retentionMs: 200 })
    const survivor = new RedisStreamStore({ url: redis.url, prefix, retentionMs: 200, checkMs: 50 })
    open.push(survivor)
    await dying.create('orphan', 'openai-chat')
    dying.append('orphan', 'last words')
    const reader = recorder()
    survivor.follow('orphan', 0, reader.follower)
    await vi.waitFor(() => expect(reader.got.events).toHaveLength(1))
    await dying.close() // no end: as if the process had died
    await vi.waitFor(() => expect(reader.got.ended).toBe(true), { timeout: 3000 })
    expect(survivor.size().readers).toBe(0)
  })

  it('Redis restarted mid-stream: the stream stops as cancelled on every instance, nothing is unhandled, new streams work once it is back', async () => {
    const [a, b] = pair()
    await a.create('through-restart', 'openai-chat')
    let stopped = false
    a.onCancel('through-restart', () => (stopped = true))
    a.append('through-restart', 'before')
    const reader = recorder()
    b.follow('through-restart', 0, reader.follower)
    await vi.waitFor(() => expect(reader.got.events).toHaveLength(1))

    await redis.restart()
    // Written while Redis is away or empty: the stream is gone, so the producer is stopped.
    a.append('through-restart', 'after')
    await vi.waitFor(() => expect(stopped).toBe(true), { timeout: 5000 })
    expect(await b.info('through-restart')).toBeUndefined()
    // Its reader on the other instance is told too, rather than left waiting.
    await vi.waitFor(() => expect(reader.got.ended).toBe(true), { timeout: 5000 })

    await a.create('after-restart', 'openai-chat')
    const live = recorder()
    b.follow('after-restart', 0, live.follower)
    a.append('after-restart', 'one')
    await vi.waitFor(() => expect(live.got.events).toEqual([{ seq: 1, data: 'one' }]), { timeout: 5000 })
    a.append('after-restart', 'two')
    await a.end('after-restart')
    await vi.waitFor(() => expect(live.got.ended).toBe(true))
    expect(live.got.events.map((event) => event.data)).toEqual(['one', 'two'])
  })
})
