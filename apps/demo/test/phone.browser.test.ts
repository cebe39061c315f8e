/**
 * The demo on a 390 × 844 phone, in Chromium against the real demo server: the chat is on the
 * first screen with its composer in view, nothing is wider than the screen, and a message gets
 * its answer.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Browser,
  browserTestsEnabled,
  collectErrors,
  launchChromium,
  type StaticServer,
  serveStatic,
} from '@rivulet/browser-harness'
import { type RunningServer, startServer } from '@rivulet/demo-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDemo } from '../scripts/build.js'

const PHONE = { width: 390, height: 844 }

describe.runIf(browserTestsEnabled())('the demo on a phone', { timeout: 60_000 }, () => {
  let browser: Browser
  let server: RunningServer
  let app: StaticServer
  let outDir: string

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'rivulet-demo-phone-'))
    const [dist, running, launched] = await Promise.all([
      buildDemo(outDir),
      startServer({ port: 0, logger: { info: () => {}, error: () => {} } }),
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

  it('shows the chat above the fold, composer in view, and answers a message', async () => {
    const page = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true })
    const errors = collectErrors(page)
    try {
      await page.goto(
        `${app.url}/?${new URLSearchParams({ server: server.url, tps: '200', ttft: '20', tokens: '60' })}`,
      )
      const chat = page.locator('[data-rivulet=chat]')
      const composer = page.locator('[data-rivulet=composer] textarea')
      await composer.waitFor()
      const chatBox = (await chat.boundingBox())!
      const composerBox = (await composer.boundingBox())!
      expect(chatBox.y).toBeLessThan(PHONE.height / 3)
      expect(chatBox.y + chatBox.height).toBeLessThanOrEqual(PHONE.height)
      expect(composerBox.y + composerBox.height).toBeLessThanOrEqual(PHONE.height)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)

      await composer.tap()
      await composer.fill('Hello from a phone')
      await page.locator('[data-rivulet=send]').tap()
      await page.waitForSelector('[data-rivulet=chat][data-status=done]', { timeout: 20_000 })
      const answer = page.locator('[data-rivulet=chat-message][data-role=assistant]').last()
      expect(((await answer.textContent()) ?? '').length).toBeGreaterThan(20)
      // The answer grew inside the chat: the page itself still fits the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
      expect((await composer.boundingBox())!.y).toBeLessThanOrEqual(PHONE.height)
      expect(errors).toEqual([])
    } finally {
      await page.close()
    }
  })
})
