import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ABUSE_CASES, type Target } from './abuse-cases.js'
import { startHostileUpstream } from './hostile-upstream.js'
import { expectResponsive } from './liveness.js'

/**
 * The whole abuse suite against `pnpm start`'s entry run as its own process with
 * `--unhandled-rejections=strict`: a rejection nobody handles, anywhere, ends that process, so
 * a process still alive at the end had none.
 */
describe('the server as its own process, with --unhandled-rejections=strict', () => {
  let child: ReturnType<typeof spawn>
  let target: Target
  let output = ''
  let exit: { code: number | null; signal: string | null } | undefined
  let upstream: Awaited<ReturnType<typeof startHostileUpstream>>

  beforeAll(async () => {
    upstream = await startHostileUpstream()
    const root = fileURLToPath(new URL('..', import.meta.url))
    child = spawn(
      process.execPath,
      ['--unhandled-rejections=strict', '--import', 'tsx', '--conditions=@rivulet/source', 'src/main.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          PORT: '0',
          HOST: '127.0.0.1',
          RIVULET_RATE_LIMIT: '0',
          RIVULET_LOG: 'off',
          RIVULET_UPSTREAM_URL: upstream.url,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    child.on('exit', (code, signal) => (exit = { code, signal }))
    child.stdout?.on('data', (chunk) => (output += chunk))
    child.stderr?.on('data', (chunk) => (output += chunk))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not started within 20 s: ${output}`)), 20_000)
      const look = () => {
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (match?.[1]) {
          clearTimeout(timer)
          resolve(match[1])
        }
      }
      child.stdout?.on('data', look)
      child.once('exit', () => reject(new Error(`exited before listening: ${output}`)))
    })
    target = { url, wsUrl: `${url.replace(/^http/, 'ws')}/v1/ws` }
  }, 30_000)

  afterAll(async () => {
    if (exit === undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    await upstream?.close()
  })

  it('goes through every abuse case and is still alive and responsive', async () => {
    for (const abuse of ABUSE_CASES) {
      await abuse.run(target)
      expect(exit, `${abuse.name}\n${output}`).toBeUndefined()
      await expectResponsive(target.url)
    }
    expect(exit).toBeUndefined()
    expect(output).not.toMatch(/Unhandled|ERR_UNHANDLED_REJECTION|RangeError/)
  }, 60_000)
})
