/**
 * Two demo server processes on one Redis (`RIVULET_REDIS_URL`), as behind a load balancer: a
 * stream started on one is resumed, replayed and cancelled on the other. Each runs with
 * `--unhandled-rejections=strict`, so a rejection nobody handles would end it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  announceSkippedRedisTests,
  type RedisServer,
  redisTestsEnabled,
  startRedisServer,
} from '../../../packages/server/src/testing/redis-server.js'
import { chatBody, content, postJson, readEvents, readUntilCut } from './helpers.js'
import { type ServerProcess, spawnServer, stopServer } from './process.js'

const RESUMABLE = { 'x-rivulet-resumable': '1' }

const startInstance = (redisUrl: string) => spawnServer({ RIVULET_REDIS_URL: redisUrl })

announceSkippedRedisTests()

describe.skipIf(!redisTestsEnabled())('two server processes on one Redis', () => {
  let redis: RedisServer | undefined
  let a: ServerProcess | undefined
  let b: ServerProcess | undefined

  beforeAll(async () => {
    redis = await startRedisServer()
    ;[a, b] = await Promise.all([startInstance(redis.url), startInstance(redis.url)])
  }, 30_000)

  afterAll(async () => {
    await Promise.all([stopServer(a), stopServer(b)])
    await redis?.stop()
  })

  const urls = () => {
    if (a === undefined || b === undefined) throw new Error('instances not started')
    return { a: a.url, b: b.url }
  }

  it('a stream started on A, dropped, resumes on B: every event exactly once, text identical to an uninterrupted run', async () => {
    const { a: onA, b: onB } = urls()
    const sim = { seed: 11, tokens: 60 }
    const reference = await readEvents(
      await postJson(`${onA}/v1/chat/completions`, chatBody({ stream: true, rivulet: sim })),
    )
    const first = await postJson(
      `${onA}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { ...sim, fault: { type: 'drop', afterTokens: 20 } } }),
      { ...RESUMABLE, 'x-rivulet-stream-id': 'across-1' },
    )
    expect(first.headers.get('x-rivulet-stream-id')).toBe('across-1')
    const before = await readUntilCut(first)
    expect(before.failed).toBe(true)
    const lastId = Number(before.events.at(-1)?.id)
    expect(lastId).toBeGreaterThan(0)

    const resumed = await fetch(`${onB}/v1/streams/across-1`, { headers: { 'last-event-id': String(lastId) } })
    expect(resumed.status).toBe(200)
    const after = await readEvents(resumed)
    const all = [...before.events, ...after]
    expect(all.map((event) => Number(event.id))).toEqual(all.map((_, i) => i + 1))
    expect(content(all)).toBe(content(reference))
    expect(all.at(-1)?.data).toBe('[DONE]')

    // Finished: replayed in full from either instance during the retention window.
    for (const url of [onA, onB]) {
      const replay = await readEvents(await fetch(`${url}/v1/streams/across-1`))
      expect(replay.map((event) => event.data)).toEqual(all.map((event) => event.data))
    }
  })

  it('DELETE on B stops the stream generating on A, and A’s connection ends', async () => {
    const { a: onA, b: onB } = urls()
    const controller = new AbortController()
    const response = await postJson(
      `${onA}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 5000, tokensPerSecond: 200 } }),
      { ...RESUMABLE, 'x-rivulet-stream-id': 'across-cancel' },
      controller.signal,
    )
    expect(response.status).toBe(200)
    const reading = readUntilCut(response).then((result) => ({ ...result, endedAt: performance.now() }))
    // From the DELETE leaving the client: an upper bound on cancel-in-Redis → stopped on A.
    const sentAt = performance.now()
    const cancel = await fetch(`${onB}/v1/streams/across-cancel`, { method: 'DELETE' })
    expect(cancel.status).toBe(204)
    const read = await reading
    const delayMs = read.endedAt - sentAt
    console.info(`DELETE sent to B → A's connection ended: ${delayMs.toFixed(1)} ms`)
    expect(delayMs).toBeLessThan(250)
    expect(content(read.events).length).toBeLessThan(5000)
    expect((await fetch(`${onA}/v1/streams/across-cancel`)).status).toBe(404)
    controller.abort()
  })

  it('a cancel that arrives on B before its stream starts on A is honoured', async () => {
    const { a: onA, b: onB } = urls()
    const early = await fetch(`${onB}/v1/streams/across-early`, { method: 'DELETE' })
    expect(early.status).toBe(404)
    const response = await postJson(`${onA}/v1/chat/completions`, chatBody({ stream: true }), {
      ...RESUMABLE,
      'x-rivulet-stream-id': 'across-early',
    })
    expect(response.status).toBe(409)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('stream_cancelled')
  })

  it('both processes are still alive, with nothing unhandled', () => {
    expect(a?.exit()).toBeUndefined()
    expect(b?.exit()).toBeUndefined()
    expect(`${a?.output()}${b?.output()}`).not.toMatch(/Unhandled|ERR_UNHANDLED_REJECTION/)
  })
})
