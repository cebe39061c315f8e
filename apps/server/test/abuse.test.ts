import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { ABUSE_CASES } from './abuse-cases.js'
import { closeTestServers, startTestServer, type TestServer } from './helpers.js'
import { startHostileUpstream } from './hostile-upstream.js'
import { expectResponsive } from './liveness.js'

describe('the abuse suite (in process)', () => {
  let server: TestServer
  let upstream: { url: string; close(): Promise<void> } | undefined
  const delay = monitorEventLoopDelay({ resolution: 2 })

  beforeAll(async () => {
    upstream = await startHostileUpstream()
    server = await startTestServer({ limits: { rateLimit: false }, upstream: { url: upstream.url } })
    delay.enable()
  })
  afterAll(async () => {
    delay.disable()
    const ms = (ns: number) => `${(ns / 1e6).toFixed(1)} ms`
    console.info(
      `event-loop delay during the abuse suite: p50 ${ms(delay.percentile(50))}, p99 ${ms(delay.percentile(99))}, max ${ms(delay.max)}`,
    )
    await closeTestServers()
    await upstream?.close()
  })
  afterEach(async () => {
    if (server) await expectResponsive(server.url)
  })

  for (const abuse of ABUSE_CASES) {
    it(abuse.name, async () => {
      const own = monitorEventLoopDelay({ resolution: 2 })
      own.enable()
      await abuse.run(server)
      own.disable()
      if (process.env.RIVULET_ABUSE_DELAYS) console.info(`${(own.max / 1e6).toFixed(1)} ms max delay: ${abuse.name}`)
    }, 15_000)
  }
})
