// @vitest-environment jsdom
/**
 * Every story runs here as a test: rendered with its decorators and globals, its
 * `parameters.msw.handlers` served by MSW in Node, its `play` run, and its outcome asserted. Time
 * is fake: the mocked model's delays, the session's frames and the typing effect all advance
 * together, so a slow story takes no longer than a fast one.
 */
import '@testing-library/jest-dom/vitest'
import type { StreamTiming } from '@rivulet/msw'
import { composeStories, setProjectAnnotations } from '@storybook/react-vite'
import { act, cleanup, configure, render } from '@testing-library/react'
import type { RequestHandler } from 'msw'
import { setupServer } from 'msw/node'
import type { ReactNode } from 'react'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import preview from '../../../.storybook/preview.js'
import * as chatWindowStories from './chat-window.stories.js'
import * as progressBarStories from './stream-progress-bar.stories.js'
import * as statsStories from './stream-stats.stories.js'
import * as messageStories from './streaming-message.stories.js'
import { announcements, shownText } from './testing/dom.js'
import {
  ANSWER,
  ARABIC,
  bursts,
  CHINESE,
  firstTokens,
  HEBREW,
  INTERRUPTED_ANSWER,
  JAPANESE,
  PROMPT,
  REASONED_ANSWER,
  REASONING,
  SKY_PROMPT,
  SLOW_ANSWER,
  TIMING,
  TOOL_PREAMBLE,
  tokenCount,
} from './testing/stories.js'

/** What a story must show once it has played out; `always` holds at every step on the way. */
interface Outcome {
  end(canvas: HTMLElement): void
  always?(canvas: HTMLElement): void
}

type Outcomes<Module> = { [Name in Exclude<keyof Module, 'default'>]: Outcome }

/** Virtual time per step, and the most a story may take. */
const STEP_MS = 20
const LIMIT_MS = 60_000

let consoleErrors: MockInstance<typeof console.error>
let consoleWarnings: MockInstance<typeof console.warn>

setProjectAnnotations([preview])
// Every step, the play's included, runs inside the `act` that advances time (`playOut`). So the
// project annotations' `beforeAll` is not run, and Testing Library's own wrappers (shared with
// storybook/test) are plain: theirs would wrap events in `act` of their own and mark waits as
// outside `act` while time moves on inside it.
configure({ asyncWrapper: (run) => run(), eventWrapper: (run) => run() })
const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))

beforeEach(() => {
  vi.useFakeTimers()
  consoleErrors = vi.spyOn(console, 'error')
  consoleWarnings = vi.spyOn(console, 'warn')
})

afterEach(() => {
  cleanup()
  server.resetHandlers()
  vi.useRealTimers()
  vi.restoreAllMocks()
})

afterAll(() => server.close())

interface PlayableStory {
  (): ReactNode
  parameters: { msw?: { handlers?: RequestHandler[] } }
  play?: (context: { canvasElement: HTMLElement }) => Promise<void>
}

/**
 * Renders a story with its handlers, starts its play, and steps virtual time until the play is
 * over and the outcome holds (checking `always` at each step), or the limit passes.
 */
async function playOut(Story: PlayableStory, outcome: Outcome) {
  server.use(...(Story.parameters.msw?.handlers ?? []))
  const { container } = render(<Story />)
  let playing = Story.play !== undefined
  let playError: unknown
  await act(async () => {
    Story.play?.({ canvasElement: container }).then(
      () => (playing = false),
      (error: unknown) => {
        playError = error
        playing = false
      },
    )
  })
  for (let elapsed = 0; ; elapsed += STEP_MS) {
    if (playError) throw playError
    outcome.always?.(container)
    try {
      if (playing) throw new Error('The play function has not finished')
      outcome.end(container)
      break
    } catch (error) {
      if (elapsed >= LIMIT_MS) throw error
    }
    await act(() => vi.advanceTimersByTimeAsync(STEP_MS))
  }
  expect(consoleErrors).not.toHaveBeenCalled()
  expect(consoleWarnings).not.toHaveBeenCalled()
}

function testStories<Module extends Parameters<typeof composeStories>[0]>(
  title: string,
  module: Module,
  outcomes: Outcomes<Module>,
) {
  const stories = Object.entries(composeStories(module)) as [string, PlayableStory][]
  describe(title, () => {
    it('has an outcome for every story', () => {
      expect(Object.keys(outcomes).sort()).toEqual(stories.map(([name]) => name).sort())
    })
    for (const [name, Story] of stories) {
      it(name, () => playOut(Story, outcomes[name as keyof Outcomes<Module>]))
    }
  })
}

const $ = (canvas: ParentNode, selector: string) => {
  const element = canvas.querySelector(selector)
  if (!element) throw new Error(`Nothing matches ${selector}`)
  return element as HTMLElement
}
const $$ = (canvas: ParentNode, selector: string) => Array.from(canvas.querySelectorAll<HTMLElement>(selector))
const alertText = (canvas: HTMLElement) => $(canvas, '[role="alert"]').textContent

/** A single-message story ended in `status`, showing `text`. */
function message(status: string, text: string, extra?: (canvas: HTMLElement) => void): Outcome {
  return {
    end(canvas) {
      const element = $(canvas, '[data-rivulet="streaming-message"]')
      expect(element).toHaveAttribute('data-status', status)
      expect(shownText(element)).toBe(text)
      extra?.(canvas)
    },
  }
}

/** With reduced motion, text shows as it arrives: only ever whole bursts, never part of one. */
const wholeBursts = (text: string, size: number) => {
  const prefixes = new Set([''])
  let shown = ''
  for (const piece of bursts(text, size)) prefixes.add((shown += piece))
  return (canvas: HTMLElement) => {
    const answer = $$(canvas, '[data-rivulet="streaming-message"]').at(-1)
    if (answer) expect(prefixes).toContain(shownText(answer))
  }
}

const INTERRUPTED_AT = firstTokens(INTERRUPTED_ANSWER, 12)

testStories('StreamingMessage stories', messageStories, {
  Fast: message('done', ANSWER, (canvas) => expect(announcements(canvas).at(-1)).toBe('Response complete.')),
  Slow: message('done', SLOW_ANSWER),
  Bursty: message('done', ANSWER),
  Reasoning: {
    end(canvas) {
      const [reasoning, answer] = $$(canvas, '[data-rivulet="streaming-message"]')
      expect(reasoning?.closest('details')).toHaveTextContent(/^Reasoning/)
      expect(shownText(reasoning!)).toBe(REASONING)
      expect(answer).toHaveAttribute('data-status', 'done')
      expect(shownText(answer!)).toBe(REASONED_ANSWER)
    },
  },
  LongMarkdown: {
    end(canvas) {
      expect($(canvas, '[data-rivulet="streaming-message"]')).toHaveAttribute('data-status', 'done')
      expect($(canvas, 'h2')).toHaveTextContent('Streaming answers, block by block')
      expect($$(canvas, 'h3').map((heading) => heading.textContent)).toContain('A code sample')
      expect($(canvas, 'pre code')).toHaveTextContent(
        "import { createChatSession, openaiCompatible } from '@rivulet/core'",
      )
      expect($$(canvas, 'ul > li')).toHaveLength(3)
      expect($$(canvas, 'ol > li')).toHaveLength(3)
      expect($(canvas, 'p strong')).toHaveTextContent('one token at a time')
    },
  },
  Japanese: message('done', JAPANESE, (canvas) => expect($(canvas, '[lang="ja"]')).toBeInTheDocument()),
  Chinese: message('done', CHINESE, (canvas) => expect($(canvas, '[lang="zh"]')).toBeInTheDocument()),
  Arabic: message('done', ARABIC, (canvas) => expect($(canvas, '[lang="ar"]')).toHaveAttribute('dir', 'rtl')),
  Hebrew: message('done', HEBREW, (canvas) => expect($(canvas, '[lang="he"]')).toHaveAttribute('dir', 'rtl')),
  ReducedMotion: { ...message('done', ANSWER), always: wholeBursts(ANSWER, 8) },
  ProviderError: message('error', INTERRUPTED_AT, (canvas) =>
    expect(alertText(canvas)).toBe('provider error: The model is overloaded.'),
  ),
  Dropped: message('error', INTERRUPTED_AT, (canvas) => expect(alertText(canvas)).toMatch(/^network error: /)),
  RateLimited: message('error', '', (canvas) =>
    expect(alertText(canvas)).toBe(
      'http error: HTTP 429 Too Many Requests: Rate limit reached. Please try again later.',
    ),
  ),
  Aborted: message('aborted', INTERRUPTED_AT, (canvas) =>
    expect(announcements(canvas).at(-1)).toBe('Response stopped.'),
  ),
})

const bar = (canvas: HTMLElement) => $(canvas, '[role="progressbar"]')

/** The bar ended complete, at 100%. */
const complete = (canvas: HTMLElement) => {
  expect(bar(canvas)).toHaveAttribute('data-status', 'done')
  expect(bar(canvas)).toHaveAttribute('data-state', 'complete')
  expect(bar(canvas)).toHaveAttribute('aria-valuenow', '100')
}

/** The bar stopped part of the way, in `status`. */
const partway = (status: string) => (canvas: HTMLElement) => {
  expect(bar(canvas)).toHaveAttribute('data-status', status)
  expect(bar(canvas)).toHaveAttribute('data-state', 'loading')
  const value = Number(bar(canvas).getAttribute('aria-valuenow'))
  expect(value).toBeGreaterThan(0)
  expect(value).toBeLessThan(100)
}

/** With an estimate, the bar is determinate from the start and speaks a percentage. */
const determinate = (canvas: HTMLElement) => {
  expect(bar(canvas)).toHaveAccessibleName('Response progress')
  expect(bar(canvas)).not.toHaveAttribute('data-state', 'indeterminate')
  expect(bar(canvas).getAttribute('aria-valuetext')).toMatch(/^\d+%/)
}

testStories('StreamProgressBar stories', progressBarStories, {
  Determinate: { end: complete, always: determinate },
  Indeterminate: {
    end: complete,
    always(canvas) {
      if (bar(canvas).dataset.status !== 'streaming') return
      expect(bar(canvas)).toHaveAttribute('data-state', 'indeterminate')
      expect(bar(canvas)).not.toHaveAttribute('aria-valuenow')
    },
  },
  Slow: { end: complete, always: determinate },
  Bursty: { end: complete, always: determinate },
  Dropped: { end: partway('error'), always: determinate },
  Aborted: { end: partway('aborted'), always: determinate },
})

/** The text of one stat (`data-stat`). */
const stat = (canvas: HTMLElement, name: string) => $(canvas, `[data-stat="${name}"] dd`).textContent

/** "850 ms" or "1.5 s" back to milliseconds. */
function parseDuration(text: string | null): number {
  const [, value, unit] = /^([\d.]+) (ms|s)$/.exec(text ?? '') ?? []
  if (value === undefined) throw new Error(`Not a duration: ${text}`)
  return Number(value) * (unit === 's' ? 1000 : 1)
}

/**
 * Stats of a stream that ended in `status` after `tokens` tokens, the first of them `timing.ttftMs`
 * after the request, give or take the handler's jitter.
 */
function stats(status: string, timing: StreamTiming, tokens: number | [min: number, max: number]): Outcome {
  const ttftMs = timing.ttftMs ?? 0
  const jitterMs = ttftMs * (timing.jitter ?? 0)
  return {
    end(canvas) {
      expect($(canvas, '[data-rivulet="stream-stats"]')).toHaveAttribute('data-status', status)
      const ttft = parseDuration(stat(canvas, 'ttft'))
      expect(ttft).toBeGreaterThanOrEqual(ttftMs - jitterMs)
      expect(ttft).toBeLessThanOrEqual(ttftMs + jitterMs + STEP_MS)
      const [min, max] = typeof tokens === 'number' ? [tokens, tokens] : tokens
      expect(Number(stat(canvas, 'tokens'))).toBeGreaterThanOrEqual(min)
      expect(Number(stat(canvas, 'tokens'))).toBeLessThanOrEqual(max)
      expect(Number.parseFloat(stat(canvas, 'tokens-per-second') ?? '')).toBeGreaterThan(0)
      expect($(canvas, '[data-rivulet="sparkline"] polyline')).toBeInTheDocument()
    },
  }
}

testStories('StreamStats stories', statsStories, {
  Fast: stats('done', TIMING.fast, tokenCount(ANSWER)),
  Slow: stats('done', TIMING.slow, tokenCount(SLOW_ANSWER)),
  // Each burst is one delta of eight tokens: between counting deltas and the provider's usage report.
  Bursty: stats('done', TIMING.bursty, [bursts(ANSWER, 8).length, tokenCount(ANSWER)]),
  Reasoning: stats('done', TIMING.steady, tokenCount(REASONING) + tokenCount(REASONED_ANSWER)),
  Dropped: stats('error', TIMING.steady, 12),
})

const chat = (canvas: HTMLElement) => $(canvas, '[data-rivulet="chat"]')
const lastAnswer = (canvas: HTMLElement) => {
  const answer = $$(canvas, 'article[data-role="assistant"]').at(-1)
  if (!answer) throw new Error('No answer yet')
  return answer
}
const questions = (canvas: HTMLElement) =>
  $$(canvas, 'article[data-role="user"]').map(
    (question) => question.querySelector('[data-rivulet="message-content"]')?.textContent,
  )

/** The chat asked `question` and its last answer ended in `status`, showing `text`. */
function conversation(status: string, text: string, question = PROMPT, extra?: (canvas: HTMLElement) => void) {
  return {
    end(canvas: HTMLElement) {
      expect(questions(canvas).at(-1)).toBe(question)
      expect(chat(canvas)).toHaveAttribute('data-status', status)
      expect(shownText(lastAnswer(canvas))).toBe(text)
      extra?.(canvas)
    },
  }
}

const answered = (text: string, question?: string, extra?: (canvas: HTMLElement) => void) =>
  conversation('done', text, question, (canvas) => {
    expect(lastAnswer(canvas).querySelector('[role="alert"]')).toBeNull()
    expect($(canvas, '[data-rivulet="regenerate"]')).toHaveTextContent(/.+/)
    extra?.(canvas)
  })

const failed = (text: string, sentence: string, details: string) =>
  conversation('error', text, PROMPT, (canvas) => {
    expect(alertText(lastAnswer(canvas))).toBe(sentence)
    expect($(lastAnswer(canvas), '[data-rivulet="error-details"] code')).toHaveTextContent(details)
    expect($(lastAnswer(canvas), '[data-rivulet="retry"]')).toHaveTextContent('Retry')
  })

testStories('ChatWindow stories', chatWindowStories, {
  Empty: {
    end(canvas) {
      expect(chat(canvas)).toHaveAttribute('data-status', 'idle')
      expect($(canvas, 'textarea')).toHaveAccessibleName('Message')
      expect($(canvas, '[data-rivulet="send"]')).toBeDisabled()
      expect($$(canvas, 'article')).toHaveLength(0)
    },
  },
  Fast: answered(ANSWER),
  Slow: answered(SLOW_ANSWER),
  Bursty: answered(ANSWER),
  Reasoning: answered(REASONED_ANSWER, SKY_PROMPT, (canvas) => {
    const reasoning = $(lastAnswer(canvas), 'details[data-rivulet="reasoning"]')
    expect(reasoning).not.toHaveAttribute('open')
    expect($(reasoning, 'summary')).toHaveTextContent(/^Thought for \d+ s$/)
    expect(reasoning).toHaveTextContent(REASONING)
  }),
  ToolCalls: answered(TOOL_PREAMBLE, 'What is the weather in Paris and Tokyo?', (canvas) => {
    const calls = $$(lastAnswer(canvas), '[data-rivulet="tool-call"]')
    expect(calls.map((call) => call.dataset.tool)).toEqual(['get_weather', 'get_weather'])
    expect(JSON.parse($(calls[0]!, 'code').textContent ?? '')).toEqual({ city: 'Paris', unit: 'celsius' })
    expect(JSON.parse($(calls[1]!, 'code').textContent ?? '')).toEqual({ city: 'Tokyo', unit: 'celsius' })
  }),
  LongMarkdown: {
    end(canvas) {
      expect(chat(canvas)).toHaveAttribute('data-status', 'done')
      const answer = lastAnswer(canvas)
      expect($(answer, 'h2')).toHaveTextContent('Streaming answers, block by block')
      expect($(answer, 'pre code')).toHaveTextContent('await chat.send')
      expect($$(answer, 'li')).toHaveLength(6)
    },
  },
  Japanese: answered(JAPANESE, 'ストリーミングとは？', (canvas) => {
    expect(chat(canvas)).toHaveAccessibleName('チャット')
    expect(chat(canvas).closest('[lang="ja"]')).not.toBeNull()
  }),
  Arabic: answered(ARABIC, 'كيف يظهر النص؟', (canvas) => {
    expect(chat(canvas)).toHaveAccessibleName('محادثة')
    expect(chat(canvas).closest('[dir="rtl"]')).toHaveAttribute('lang', 'ar')
  }),
  Hebrew: answered(HEBREW, 'איך הטקסט מוצג?', (canvas) => {
    expect(chat(canvas)).toHaveAccessibleName('צ׳אט')
    expect(chat(canvas).closest('[dir="rtl"]')).toHaveAttribute('lang', 'he')
  }),
  ReducedMotion: { ...answered(ANSWER), always: wholeBursts(ANSWER, 8) },
  DarkTheme: answered(REASONED_ANSWER, SKY_PROMPT, (canvas) => {
    expect(chat(canvas).closest('[data-theme]')).toHaveAttribute('data-theme', 'dark')
  }),
  Conversation: answered(ANSWER, PROMPT, (canvas) => {
    expect(questions(canvas)).toEqual(['Can a stream be stopped halfway?', PROMPT])
    expect($$(canvas, 'article[data-role="assistant"]')).toHaveLength(2)
  }),
  RateLimited: failed(
    '',
    'Too many requests right now. Try again in 20 s.',
    'HTTP 429 Too Many Requests: Rate limit reached. Please try again later.',
  ),
  RecoversAfterRateLimit: answered(ANSWER),
  ServerError: failed(
    '',
    'The server had a problem answering.',
    'HTTP 500 Internal Server Error: The server had an error while processing your request.',
  ),
  ProviderError: failed(INTERRUPTED_AT, 'The model is overloaded right now.', 'The model is overloaded.'),
  Dropped: {
    end(canvas) {
      conversation('error', INTERRUPTED_AT).end(canvas)
      expect(alertText(lastAnswer(canvas))).toMatch(/^(Could not reach the server|The connection dropped)/)
    },
  },
  Aborted: conversation('aborted', INTERRUPTED_AT, PROMPT, (canvas) => {
    expect($(lastAnswer(canvas), '[data-rivulet="streaming-message"]')).toHaveAttribute('data-status', 'aborted')
    expect(announcements(chat(canvas)).at(-1)).toBe('Response stopped.')
  }),
})
