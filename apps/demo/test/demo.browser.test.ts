import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from '@rivulet/browser-harness'
import {
  browserTestsEnabled,
  collectErrors,
  launchChromium,
  type StaticServer,
  seriousViolations,
  serveStatic,
} from '@rivulet/browser-harness'
import { type RunningServer, type StreamEndInfo, startServer } from '@rivulet/demo-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDemo } from '../scripts/build.js'

const artifacts = new URL('../../../test-artifacts/', import.meta.url).pathname

describe.runIf(browserTestsEnabled())('the demo in Chromium, against the real demo server', { timeout: 60_000 }, () => {
  let browser: Browser
  let server: RunningServer
  let app: StaticServer
  let outDir: string
  const ended: StreamEndInfo[] = []
  const requestLog: string[] = []

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'rivulet-demo-'))
    mkdirSync(artifacts, { recursive: true })
    const [dist, running, launched] = await Promise.all([
      buildDemo(outDir),
      startServer({
        port: 0,
        logger: { info: (line) => requestLog.push(line), error: () => {} },
        onStreamEnd: (info) => ended.push(info),
      }),
      launchChromium(),
    ])
    server = running
    browser = launched
    app = await serveStatic(dist, 0)
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await server?.close()
    rmSync(outDir, { recursive: true, force: true })
  })

  /** The demo with these settings, against this test's server. */
  async function open(settings: Record<string, string | number> = {}): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = collectErrors(page)
    const query = new URLSearchParams({
      server: server.url,
      ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])),
    })
    await page.goto(`${app.url}/?${query}`)
    return { page, errors }
  }

  const status = (page: Page) => page.locator('[data-rivulet=chat]').getAttribute('data-status')
  const answer = (page: Page) => page.locator('[data-rivulet=chat-message][data-role=assistant]').last()
  /** The answer's text alone, without its actions and version picker. */
  const answerText = async (page: Page) =>
    (await answer(page).locator('[data-rivulet=message-content]').allTextContents()).join('')
  async function send(page: Page, text: string) {
    await page.locator('[data-rivulet=composer] textarea').fill(text)
    await page.keyboard.press('Enter')
  }

  it('shows text progressively, before the stream ends, then the stats', async () => {
    const { page, errors } = await open({ tps: 40, ttft: 100, tokens: 200 })
    await send(page, 'Tell me about streaming')
    await expectPoll(async () => ((await answer(page).textContent()) ?? '').length > 20)
    const early = (await answer(page).textContent()) ?? ''
    expect(await status(page)).toBe('streaming')
    await page.screenshot({ path: join(artifacts, 'demo-mid-stream.png') })
    await expectPoll(async () => (await status(page)) === 'done', 20_000)
    const full = (await answer(page).textContent()) ?? ''
    expect(full.length).toBeGreaterThan(early.length)
    expect(full.startsWith(early.slice(0, 20))).toBe(true)
    expect(await page.locator('[data-stat=ttft]').textContent()).toMatch(/\d+ ms/)
    expect(await page.locator('[data-stat=tokens-per-second]').textContent()).toMatch(/[1-9]/)
    expect(await page.locator('[data-rivulet=chat] svg polyline').count()).toBeGreaterThan(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it('Stop ends the stream and the server stops generating', async () => {
    const { page } = await open({ tps: 20, ttft: 50, tokens: 2000 })
    await send(page, 'A long story, please')
    await expectPoll(async () => ((await answer(page).textContent()) ?? '').length > 10)
    const before = ended.length
    await page.locator('[data-rivulet=stop]').click()
    await expectPoll(async () => (await status(page)) === 'aborted')
    await expectPoll(async () => ended.length > before)
    const stopped = ended.at(-1) as StreamEndInfo
    expect(stopped.outcome).toBe('cancelled')
    expect(stopped.tokens).toBeLessThan(2000)
    await page.close()
  })

  it('a dropped stream shows an error, and retry succeeds', async () => {
    // Anthropic-style streams are not resumable: the drop reaches the user.
    const { page } = await open({ transport: 'anthropic', tps: 200, ttft: 20, tokens: 80 })
    await page.getByLabel('Fault', { exact: true }).selectOption('drop')
    await page.getByLabel(/^Fault after/).fill('10')
    await send(page, 'Hello')
    await expectPoll(async () => (await status(page)) === 'error', 20_000)
    await expect(page.locator('[data-rivulet=chat-error]').isVisible()).resolves.toBe(true)
    await page.getByLabel('Fault', { exact: true }).selectOption('none')
    await page.locator('[data-rivulet=retry]').click()
    await expectPoll(async () => (await status(page)) === 'done', 20_000)
    expect(((await answer(page).textContent()) ?? '').length).toBeGreaterThan(20)
    await page.close()
  })

  it('resumes a dropped resumable stream where it stopped, with no error shown', async () => {
    const { page } = await open({ tps: 200, ttft: 20, tokens: 80 })
    await page.getByLabel('Fault', { exact: true }).selectOption('drop')
    await page.getByLabel(/^Fault after/).fill('10')
    const logged = requestLog.length
    await send(page, 'Hello')
    await expectPoll(async () => (await status(page)) === 'done', 20_000)
    expect(await page.locator('[data-rivulet=chat-error]').count()).toBe(0)
    // The POST that dropped, then the GET that resumed it.
    const lines = requestLog.slice(logged).join('\n')
    expect(lines).toMatch(/POST \/v1\/chat\/completions/)
    expect(lines).toMatch(/GET \/v1\/streams\/[\w-]+ 200/)
    const text = await answerText(page)
    // The same seed without the fault gives the same answer: nothing lost, nothing repeated.
    await page.getByLabel('Fault', { exact: true }).selectOption('none')
    await page.locator('[data-rivulet=regenerate]').click()
    await expectPoll(async () => (await status(page)) === 'done', 20_000)
    expect(await answerText(page)).toBe(text)
    await page.close()
  })

  it('streams over the WebSocket transport', async () => {
    const { page, errors } = await open({ transport: 'websocket', tps: 100, ttft: 20, tokens: 60 })
    await expect(page.getByLabel('WebSocket').isChecked()).resolves.toBe(true)
    await send(page, 'Over a socket')
    await expectPoll(async () => (await status(page)) === 'done', 20_000)
    expect(((await answer(page).textContent()) ?? '').length).toBeGreaterThan(20)
    expect(ended.at(-1)?.transport).toBe('ws')
    expect(errors).toEqual([])
    await page.close()
  })

  it('has no serious or critical accessibility violation, idle and after an answer', async () => {
    const { page } = await open({ tps: 0, ttft: 0, tokens: 40 })
    expect(await seriousViolations(page)).toEqual([])
    await send(page, 'Check me')
    await expectPoll(async () => (await status(page)) === 'done', 20_000)
    expect(await seriousViolations(page)).toEqual([])
    await page.close()
  })
})

/** Polls until `condition` holds, or fails after `timeoutMs`. */
async function expectPoll(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
