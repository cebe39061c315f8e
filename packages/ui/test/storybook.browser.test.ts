/**
 * The static Storybook build in real Chromium: every story renders and plays out with no console
 * error and no serious or critical accessibility violation. The stories stream from
 * `@rivulet/msw` in the build's own Service Worker, at their real pace.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import {
  type Browser,
  browserTestsEnabled,
  collectErrors,
  launchChromium,
  type Page,
  type StaticServer,
  seriousViolations,
  serveStatic,
} from '@rivulet/browser-harness'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
/** Where stories live: beside the components of each package the Storybook shows. */
const storyDirs = [
  fileURLToPath(new URL('../src/', import.meta.url)),
  fileURLToPath(new URL('../../markdown/src/', import.meta.url)),
]

/** Stories tagged so answer with an HTTP error status, which Chromium logs as a console error. */
const HTTP_ERROR_TAG = 'http-error-response'
const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of [45]\d\d\b/

/** Stories rendered at once: each mostly waits on its stream's pace. */
const CONCURRENCY = 4
const STORY_TIMEOUT_MS = 30_000

interface IndexEntry {
  id: string
  type: 'story' | 'docs'
  importPath: string
  tags?: string[]
}

interface StoryFinished {
  storyId: string
  status: 'success' | 'error'
}

/**
 * Records the preview's `storyFinished` event (sent after render and play) on `window`. The
 * channel is assigned to a global as the preview starts, so a setter sees it before any story.
 */
function recordStoryFinished() {
  const target = window as unknown as Record<string, unknown>
  let channel: unknown
  Object.defineProperty(target, '__STORYBOOK_ADDONS_CHANNEL__', {
    configurable: true,
    get: () => channel,
    set(next: { on(event: string, listener: (payload: unknown) => void): void }) {
      channel = next
      next.on('storyFinished', (payload) => {
        target.__rivuletStoryFinished = payload
      })
    },
  })
}

/** `export const Name` per stories file: what the build's index must hold. */
function exportedStories(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const dir of storyDirs) {
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.stories.tsx'))) {
      const text = readFileSync(join(dir, file), 'utf8')
      counts.set(file, text.match(/^export const \w+/gm)?.length ?? 0)
    }
  }
  return counts
}

describe.runIf(browserTestsEnabled())('the static Storybook build in Chromium', { timeout: 600_000 }, () => {
  let browser: Browser
  let site: StaticServer
  let outDir: string
  let stories: IndexEntry[]

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'rivulet-storybook-'))
    const [launched] = await Promise.all([
      launchChromium(),
      promisify(execFile)(join(root, 'node_modules/.bin/storybook'), ['build', '--quiet', '-o', outDir], {
        cwd: root,
        env: { ...process.env, STORYBOOK_DISABLE_TELEMETRY: '1' },
      }),
    ])
    browser = launched
    site = await serveStatic(outDir, 0)
    const index = JSON.parse(readFileSync(join(outDir, 'index.json'), 'utf8')) as {
      entries: Record<string, IndexEntry>
    }
    stories = Object.values(index.entries).filter((entry) => entry.type === 'story')
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    if (outDir) rmSync(outDir, { recursive: true, force: true })
  })

  it('indexes every exported story', () => {
    const indexed = new Map<string, number>()
    for (const story of stories) {
      const file = story.importPath.split('/').at(-1) ?? ''
      indexed.set(file, (indexed.get(file) ?? 0) + 1)
    }
    expect(indexed).toEqual(exportedStories())
  })

  /** What is wrong with one story in the browser: nothing, when it passes. */
  async function check(story: IndexEntry): Promise<string[]> {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } })
    try {
      const errors = collectErrors(page)
      await page.addInitScript(recordStoryFinished)
      await page.goto(`${site.url}/iframe.html?id=${story.id}&viewMode=story`)
      const handle = await page.waitForFunction(
        () => (window as unknown as { __rivuletStoryFinished?: unknown }).__rivuletStoryFinished,
        undefined,
        { timeout: STORY_TIMEOUT_MS },
      )
      const finished = (await handle.jsonValue()) as StoryFinished
      const problems: string[] = []
      if (finished.status !== 'success') problems.push(`finished with status ${finished.status}`)
      const expected = story.tags?.includes(HTTP_ERROR_TAG) ? FAILED_RESOURCE : undefined
      for (const error of errors) {
        if (!expected?.test(error)) problems.push(`console: ${error}`)
      }
      if (expected && !errors.some((error) => expected.test(error))) {
        problems.push(`tagged ${HTTP_ERROR_TAG}, but no HTTP error status was seen`)
      }
      for (const violation of await seriousViolations(page)) {
        problems.push(`axe ${violation.impact}: ${violation.id} (${violation.help}) on ${violation.nodes} node(s)`)
      }
      if ((await page.locator('#storybook-root [data-rivulet]').count()) === 0) problems.push('rendered no component')
      return problems
    } catch (error) {
      return [error instanceof Error ? error.message.split('\n')[0]! : String(error)]
    } finally {
      await page.close()
    }
  }

  it('renders and plays every story with no console error and no serious accessibility violation', async () => {
    expect(stories.length).toBeGreaterThan(0)
    const report: Record<string, string[]> = {}
    const queue = [...stories]
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let story = queue.shift(); story; story = queue.shift()) {
          const problems = await check(story)
          if (problems.length > 0) report[story.id] = problems
        }
      }),
    )
    expect(report).toEqual({})
  })

  /** A story in its own page, once its play function has finished. */
  async function openStory(id: string, viewport = { width: 1024, height: 768 }): Promise<Page> {
    const page = await browser.newPage({ viewport })
    await page.addInitScript(recordStoryFinished)
    await page.goto(`${site.url}/iframe.html?id=${id}&viewMode=story`)
    await page.waitForFunction(
      () => (window as unknown as { __rivuletStoryFinished?: unknown }).__rivuletStoryFinished,
      undefined,
      { timeout: STORY_TIMEOUT_MS },
    )
    return page
  }

  const chatStatus = (page: Page, status: string) =>
    page.waitForSelector(`[data-rivulet="chat"][data-status="${status}"]`, { timeout: STORY_TIMEOUT_MS })

  const activeElement = (page: Page) =>
    page.evaluate(() => {
      const active = document.activeElement
      return active ? `${active.tagName.toLowerCase()}${active.getAttribute('data-rivulet') ?? ''}` : 'none'
    })

  it('copies an answer selected by dragging past its end once, without the announcements', async () => {
    const page = await openStory('components-chatwindow--fast')
    try {
      await chatStatus(page, 'done')
      const answer = page.locator('article[data-role="assistant"] [data-rivulet="message-content"]')
      const text = (await answer.textContent()) ?? ''
      expect(text.length).toBeGreaterThan(40)
      const box = (await answer.boundingBox())!
      const list = (await page.locator('[data-rivulet="chat-messages"]').boundingBox())!
      await page.mouse.move(box.x + 1, box.y + 4)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width / 2, list.y + list.height - 4, { steps: 8 })
      await page.mouse.up()
      const selected = await page.evaluate(() => window.getSelection()?.toString() ?? '')
      expect(selected.split(text).length - 1).toBe(1)
      expect(selected).not.toContain('Response complete.')
    } finally {
      await page.close()
    }
  })

  it('keeps focus in the chat after Regenerate and Retry from the keyboard', async () => {
    const page = await openStory('components-chatwindow--fast')
    try {
      await chatStatus(page, 'done')
      const regenerate = (await page.$('[data-rivulet="regenerate"]'))!
      await regenerate.focus()
      await page.keyboard.press('Enter')
      await regenerate.waitForElementState('hidden')
      expect(await activeElement(page)).not.toBe('body')
      await chatStatus(page, 'done')
      expect(await activeElement(page)).toBe('textarea')
    } finally {
      await page.close()
    }
    const failing = await openStory('components-chatwindow--rate-limited')
    try {
      await chatStatus(failing, 'error')
      const retry = (await failing.$('[data-rivulet="retry"]'))!
      await retry.focus()
      await failing.keyboard.press('Enter')
      await retry.waitForElementState('hidden')
      await chatStatus(failing, 'error')
      expect(await activeElement(failing)).toBe('textarea')
    } finally {
      await failing.close()
    }
  })

  it('says what went wrong in a sentence, with the HTTP details on demand', async () => {
    const page = await openStory('components-chatwindow--rate-limited')
    try {
      await chatStatus(page, 'error')
      const sentence = page.locator('[data-rivulet="error-sentence"]')
      expect(await sentence.textContent()).toBe('Too many requests right now. Try again in 20 s.')
      const details = page.locator('[data-rivulet="error-details"]')
      expect(await details.locator('code').isVisible()).toBe(false)
      await details.locator('summary').click()
      expect(await details.locator('code').textContent()).toMatch(/^HTTP 429 /)
    } finally {
      await page.close()
    }
  })

  it('fits a 390 × 844 phone: composer in view, nothing wider than the screen', async () => {
    const page = await openStory('components-chatwindow-parts--phone', { width: 390, height: 844 })
    try {
      await chatStatus(page, 'done')
      const composer = (await page.locator('[data-rivulet="composer"] textarea').boundingBox())!
      expect(composer.y).toBeGreaterThan(0)
      expect(composer.y + composer.height).toBeLessThanOrEqual(844)
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        chat: document.querySelector('[data-rivulet="chat"]')!.scrollWidth,
      }))
      expect(widths.page).toBeLessThanOrEqual(390)
      expect(widths.chat).toBeLessThanOrEqual(390)
      expect(await page.locator('article[data-role="assistant"]').isVisible()).toBe(true)
    } finally {
      await page.close()
    }
  })

  it('at 80 tokens/s, scrolling up stops following; End, the bottom and Jump to latest follow again', async () => {
    const page = await openStory('components-chatwindow-parts--long-answer')
    const list = page.locator('[data-rivulet="chat-messages"]')
    const distance = () => list.evaluate((node) => node.scrollHeight - node.scrollTop - node.clientHeight)
    const following = async (value: boolean) => {
      await page.waitForSelector(`[data-rivulet="chat-messages"][data-following="${value}"]`, { timeout: 5000 })
    }
    const scrollUp = async () => {
      await page.mouse.wheel(0, -400)
      await following(false)
      expect(await page.locator('[data-rivulet="jump-to-latest"]').isVisible()).toBe(true)
    }
    try {
      await page.waitForFunction(
        () => {
          const node = document.querySelector('[data-rivulet="chat-messages"]')
          return node ? node.scrollHeight > node.clientHeight + 600 : false
        },
        undefined,
        { timeout: STORY_TIMEOUT_MS },
      )
      const box = (await list.boundingBox())!
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)

      await scrollUp()
      await list.focus()
      await page.keyboard.press('End')
      await following(true)
      await page.waitForTimeout(600)
      expect(await distance()).toBeLessThanOrEqual(24)
      expect(await page.locator('[data-rivulet="jump-to-latest"]').count()).toBe(0)

      await scrollUp()
      await page.mouse.wheel(0, 100_000)
      await following(true)
      await page.waitForTimeout(600)
      expect(await distance()).toBeLessThanOrEqual(24)

      await scrollUp()
      await page.locator('[data-rivulet="jump-to-latest"]').click()
      await following(true)
      await page.waitForTimeout(600)
      expect(await distance()).toBeLessThanOrEqual(24)
      // All of it happened while the answer was still streaming.
      expect(await page.locator('[data-rivulet="chat"]').getAttribute('data-status')).toBe('streaming')
      // The chat keeps the height it was given however long the answer grows.
      expect((await page.locator('[data-rivulet="chat"]').boundingBox())!.height).toBeCloseTo(360, 0)
    } finally {
      await page.close()
    }
  })
})
