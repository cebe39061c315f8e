import { request } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ABUSE_CASES } from './abuse-cases.js'
import { closeTestServers, startTestServer, type TestServer } from './helpers.js'

/**
 * The server still answers `/health` within 50 ms. A probe that misses is retried twice: a
 * garbage collection in this (shared) process can take one; a blocked server misses all three.
 */
export async function expectResponsive(url: string): Promise<void> {
  const probe = () =>
    new Promise<boolean>((resolve) => {
      const req = request(`${url}/health`, { agent: false, timeout: 50 }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode === 200))
      })
      req.on('timeout', () => {
        req.destroy()
        resolve(false)
      })
      req.on('error', () => resolve(false))
      req.end()
    })
  for (let attempt = 0; attempt < 3; attempt++) if (await probe()) return
  expect.fail('/health did not answer within 50 ms')
}

describe('the abuse suite (in process)', () => {
  let server: TestServer
  const delay = monitorEventLoopDelay({ resolution: 5 })

  beforeAll(async () => {
    server = await startTestServer({ limits: { rateLimit: false } })
    delay.enable()
  })
  afterAll(async () => {
    delay.disable()
    const ms = (ns: number) => `${(ns / 1e6).toFixed(1)} ms`
    console.info(
      `event-loop delay during the abuse suite: p50 ${ms(delay.percentile(50))}, p99 ${ms(delay.percentile(99))}, max ${ms(delay.max)}`,
    )
    await closeTestServers()
  })
  afterEach(async () => {
    if (server) await expectResponsive(server.url)
  })

  for (const abuse of ABUSE_CASES) {
    it(abuse.name, () => abuse.run(server), 15_000)
  }
})
