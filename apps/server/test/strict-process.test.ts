import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ABUSE_CASES, type Target } from './abuse-cases.js'
import { startHostileUpstream } from './hostile-upstream.js'
import { expectResponsive } from './liveness.js'
import { type ServerProcess, spawnServer, stopServer } from './process.js'

/**
 * The whole abuse suite against `pnpm start`'s entry run as its own process with
 * `--unhandled-rejections=strict`: a rejection nobody handles, anywhere, ends that process, so
 * a process still alive at the end had none.
 */
describe('the server as its own process, with --unhandled-rejections=strict', () => {
  let server: ServerProcess | undefined
  let target: Target
  let upstream: Awaited<ReturnType<typeof startHostileUpstream>>

  beforeAll(async () => {
    upstream = await startHostileUpstream()
    server = await spawnServer({ RIVULET_UPSTREAM_URL: upstream.url })
    target = { url: server.url, wsUrl: `${server.url.replace(/^http/, 'ws')}/v1/ws` }
  }, 30_000)

  afterAll(async () => {
    await stopServer(server)
    await upstream?.close()
  })

  it('goes through every abuse case and is still alive and responsive', async () => {
    for (const abuse of ABUSE_CASES) {
      await abuse.run(target)
      expect(server?.exit(), `${abuse.name}\n${server?.output()}`).toBeUndefined()
      await expectResponsive(target.url)
    }
    expect(server?.exit()).toBeUndefined()
    expect(server?.output()).not.toMatch(/Unhandled|ERR_UNHANDLED_REJECTION|RangeError/)
  }, 60_000)
})
