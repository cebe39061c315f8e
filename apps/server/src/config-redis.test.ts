/**
 * `RIVULET_REDIS_URL`: the demo server keeps its resumable streams in Redis, so a stream started
 * on one server can be resumed on another that shares the Redis.
 */
import { RedisStreamStore } from '@rivulet/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  announceSkippedRedisTests,
  type RedisServer,
  redisTestsEnabled,
  startRedisServer,
} from '../../../packages/server/src/testing/redis-server.js'
import { optionsFromEnv } from './config.js'
import { type RunningServer, startServer } from './server.js'

announceSkippedRedisTests()

describe('RIVULET_REDIS_URL', () => {
  it('refuses a URL that is not a Redis one', () => {
    expect(() => optionsFromEnv({ RIVULET_REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/RIVULET_REDIS_URL/)
  })

  describe.skipIf(!redisTestsEnabled())('against a real redis-server', () => {
    let redis: RedisServer
    const servers: RunningServer[] = []
    const stores: RedisStreamStore[] = []
    beforeAll(async () => {
      redis = await startRedisServer()
    })
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.close()))
      await Promise.all(stores.map((store) => store.close()))
      await redis?.stop()
    })

    async function start(): Promise<RunningServer> {
      const options = optionsFromEnv({ RIVULET_REDIS_URL: redis.url, PORT: '0', RIVULET_LOG: 'off' })
      expect(options.store).toBeInstanceOf(RedisStreamStore)
      stores.push(options.store as RedisStreamStore)
      const server = await startServer(options)
      servers.push(server)
      return server
    }

    it('a resumable stream started on one server replays in full from another', async () => {
      const [a, b] = [await start(), await start()]
      const body = JSON.stringify({
        model: 'rivulet-sim',
        stream: true,
        messages: [{ role: 'user', content: 'hello' }],
        rivulet: { seed: 7, tokens: 12, tokensPerSecond: 0 },
      })
      const headers = {
        'content-type': 'application/json',
        'x-rivulet-resumable': '1',
        'x-rivulet-stream-id': 'on-redis',
      }
      const first = await fetch(`${a.url}/v1/chat/completions`, { method: 'POST', headers, body })
      expect(first.status).toBe(200)
      const original = await first.text()
      const replay = await fetch(`${b.url}/v1/streams/on-redis`)
      expect(replay.status).toBe(200)
      expect(await replay.text()).toBe(original)
      expect(original).toContain('data: [DONE]')
    })
  })
})
