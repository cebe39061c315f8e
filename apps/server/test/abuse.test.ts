import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { ABUSE_CASES } from './abuse-cases.js'
import { closeTestServers, startTestServer, type TestServer } from './helpers.js'
import { expectResponsive } from './liveness.js'

describe('the abuse suite (in process)', () => {
  let server: TestServer
  const delay = monitorEventLoopDelay({ resolution: 2 })

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
