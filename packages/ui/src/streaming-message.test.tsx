// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import type { ChatMessage } from '@rivulet/core'
import { act, cleanup, render } from '@testing-library/react'
import { Profiler, type ReactNode, StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { TextBlock } from './blocks.js'
import { StreamingMessage, type StreamingMessageProps } from './streaming-message.js'
import { announcements, shownText, stubReducedMotion } from './testing/dom.js'

beforeEach(() => {
  // Fakes requestAnimationFrame and performance.now too: each frame is stepped by hand.
  vi.useFakeTimers()
})

afterEach(() => {
  cleanup()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const nextFrame = () => act(() => vi.advanceTimersToNextFrame())

/** Renders a message whose props the test changes, counting React commits of its subtree. */
function mount(props: StreamingMessageProps) {
  const counter = { commits: 0 }
  const tree = (next: StreamingMessageProps): ReactNode => (
    <Profiler id="message" onRender={() => counter.commits++}>
      <StreamingMessage {...next} />
    </Profiler>
  )
  const view = render(tree(props))
  return {
    ...view,
    counter,
    update: (next: StreamingMessageProps) => view.rerender(tree(next)),
    shown: () => shownText(view.container),
    announced: () => announcements(view.container),
  }
}

describe('StreamingMessage typing effect', () => {
  it('types a burst out over several frames, committing at most once per frame (never per character)', () => {
    const text = 'word '.repeat(200)
    const view = mount({ text: '', streaming: true })
    view.update({ text, streaming: true })
    expect(view.shown()).toBe('')

    view.counter.commits = 0
    let frames = 0
    const seen: number[] = []
    while (view.shown() !== text && frames < 100) {
      const before = view.counter.commits
      nextFrame()
      frames++
      expect(view.counter.commits - before).toBeLessThanOrEqual(1)
      seen.push(view.shown().length)
    }
    expect(view.shown()).toBe(text)
    // Evened out over frames, yet all shown within 300 ms (18 frames of 16 ms, plus the first).
    expect(frames).toBeGreaterThan(5)
    expect(frames).toBeLessThanOrEqual(19)
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    expect(view.counter.commits).toBeLessThanOrEqual(frames)
  })

  it('adds at most one commit per frame of its own while text keeps arriving', () => {
    const view = mount({ text: '', streaming: true })
    let text = ''
    let ownCommits = 0
    for (let frame = 0; frame < 60; frame++) {
      text += 'tok '
      view.update({ text, streaming: true }) // the app's commit for the new text
      const before = view.counter.commits
      nextFrame()
      ownCommits += view.counter.commits - before
      expect(view.counter.commits - before).toBeLessThanOrEqual(1)
    }
    expect(ownCommits).toBeLessThanOrEqual(60)
    expect(view.shown().length).toBeGreaterThan(text.length - 100)
  })

  it('shows everything at once when the stream ends or stops', () => {
    const text = 'A long answer that has only started to type out. '.repeat(10)
    for (const end of [{ streaming: false }, { status: 'aborted' as const }, { status: 'error' as const }]) {
      const view = mount({ text: '', streaming: true })
      view.update({ text, streaming: true })
      nextFrame()
      nextFrame()
      expect(view.shown().length).toBeGreaterThan(0)
      expect(view.shown().length).toBeLessThan(text.length)
      view.update({ text, ...end })
      expect(view.shown()).toBe(text)
      cleanup()
    }
  })

  it('shows text as it arrives, with no animation, when the user prefers reduced motion', () => {
    stubReducedMotion(true)
    const view = mount({ text: '', streaming: true })
    view.update({ text: 'Hello, ', streaming: true })
    expect(view.shown()).toBe('Hello, ')
    view.update({ text: 'Hello, world.', streaming: true })
    expect(view.shown()).toBe('Hello, world.')
    // No frames were asked for.
    expect(vi.getTimerCount()).toBe(0)
  })

  it('does not type again the text it was mounted with', () => {
    const view = mount({ text: 'Already here.', streaming: true })
    expect(view.shown()).toBe('Already here.')
  })

  it('works under StrictMode', () => {
    const view = render(
      <StrictMode>
        <StreamingMessage text="" streaming />
      </StrictMode>,
    )
    view.rerender(
      <StrictMode>
        <StreamingMessage text="Strict. Mode" streaming />
      </StrictMode>,
    )
    for (let i = 0; i < 20; i++) nextFrame()
    expect(shownText(view.container)).toBe('Strict. Mode')
    expect(announcements(view.container)).toEqual(['Strict.'])
  })
})

describe('StreamingMessage state and accessibility', () => {
  it('carries its status as data-status, a caret and aria-busy while live', () => {
    const view = mount({ text: 'Hi', streaming: true })
    const root = view.container.querySelector('[data-rivulet="streaming-message"]')!
    const content = view.container.querySelector('[data-rivulet="message-content"]')!
    expect(root).toHaveAttribute('data-status', 'streaming')
    expect(content).toHaveAttribute('aria-busy', 'true')
    expect(view.container.querySelector('[data-rivulet="caret"]')).toHaveAttribute('aria-hidden', 'true')

    view.update({ text: 'Hi', streaming: false })
    expect(root).toHaveAttribute('data-status', 'done')
    expect(content).toHaveAttribute('aria-busy', 'false')
    expect(view.container.querySelector('[data-rivulet="caret"]')).toBeNull()
  })

  it('reads content, status and role from a message', () => {
    const message: ChatMessage = {
      id: 'a1',
      role: 'assistant',
      parts: [{ type: 'text', text: 'From the message.' }],
      content: 'From the message.',
      status: 'submitted',
    }
    const view = mount({ message })
    const root = view.container.querySelector('[data-rivulet="streaming-message"]')!
    expect(root).toHaveAttribute('data-status', 'submitted')
    expect(root).toHaveAttribute('data-role', 'assistant')
    expect(view.shown()).toBe('From the message.')
  })

  it('renders model output as text, never as HTML', () => {
    const attack = '<img src=x onerror=alert(1)><script>alert(2)</script>'
    const view = mount({ text: '', streaming: true })
    view.update({ text: attack, streaming: false })
    expect(view.container.querySelector('img, script')).toBeNull()
    expect(view.shown()).toBe(attack)
  })

  it('announces finished sentences only, once each, then that the answer is complete', () => {
    stubReducedMotion(true)
    const view = mount({ text: '', streaming: true })
    const steps = [
      'Hel',
      'Hello there',
      'Hello there. How',
      'Hello there. How are you?',
      'Hello there. How are you? Fine',
    ]
    const seen: string[][] = []
    for (const text of steps) {
      view.update({ text, streaming: true })
      seen.push(view.announced())
    }
    expect(seen).toEqual([[], [], ['Hello there.'], ['Hello there.'], ['Hello there.', 'How are you?']])
    view.update({ text: 'Hello there. How are you? Fine', streaming: false })
    expect(view.announced()).toEqual(['Hello there.', 'How are you?', 'Fine', 'Response complete.'])
  })

  it('announces from the revealed text, not ahead of it', () => {
    const view = mount({ text: '', streaming: true })
    view.update({ text: 'One. Two. Three', streaming: true })
    expect(view.announced()).toEqual([])
    for (let i = 0; i < 20; i++) nextFrame()
    expect(view.announced()).toEqual(['One.', 'Two.'])
  })

  it('announces a stop or a failure', () => {
    stubReducedMotion(true)
    const stopped = mount({ text: '', streaming: true })
    stopped.update({ text: 'Half a sentence', status: 'aborted' })
    expect(stopped.announced()).toEqual(['Half a sentence', 'Response stopped.'])
    cleanup()
    const failed = mount({ text: '', streaming: true, labels: { failed: 'The answer failed.' } })
    failed.update({ text: '', status: 'error', labels: { failed: 'The answer failed.' } })
    expect(failed.announced()).toEqual(['The answer failed.'])
  })

  it('announces nothing for a message that was never live while shown', () => {
    const view = mount({ text: 'An old answer. From history.', streaming: false })
    expect(view.announced()).toEqual([])
    expect(view.container.querySelector('[aria-live="polite"]')).toBeInTheDocument()
  })
})

describe('StreamingMessage plain text', () => {
  it('shows each line as its own block and leaves finished lines untouched as the text grows', () => {
    stubReducedMotion(true)
    const view = mount({ text: 'first line\nsec', streaming: true })
    const content = view.container.querySelector('[data-rivulet="message-content"]')!
    const [first] = [...content.children]
    const firstText = first?.firstChild
    expect(firstText?.textContent).toBe('first line\n')

    view.update({ text: 'first line\nsecond line\n\nthird', streaming: true })
    const lines = [...content.children]
    expect(lines.map((line) => line.textContent)).toEqual(['first line\n', 'second line\n', '\n', 'third'])
    // The same element and text node: React did not touch the finished line.
    expect(lines[0]).toBe(first)
    expect(lines[0]?.firstChild).toBe(firstText)
    // The caret follows the text, at the end of the last line; textContent is the text exactly.
    expect(lines.at(-1)?.querySelector('[data-rivulet="caret"]')).not.toBeNull()
    expect(content.querySelectorAll('[data-rivulet="caret"]')).toHaveLength(1)
    expect(view.shown()).toBe('first line\nsecond line\n\nthird')

    view.update({ text: 'A new answer', streaming: false })
    expect([...content.children].map((line) => line.textContent)).toEqual(['A new answer'])
    expect(content.querySelector('[data-rivulet="caret"]')).toBeNull()
  })

  it('shows only the caret before the first token', () => {
    const view = mount({ text: '', status: 'submitted' })
    const content = view.container.querySelector('[data-rivulet="message-content"]')!
    expect([...content.children].map((child) => child.getAttribute('data-rivulet'))).toEqual(['caret'])
  })
})

describe('StreamingMessage render slot', () => {
  it('re-renders only the block still growing; completed blocks render no more', () => {
    stubReducedMotion(true)
    const renders = new Map<number, number>()
    // A new function on every render, as an inline arrow would be.
    const props = (text: string, streaming = true): StreamingMessageProps => ({
      text,
      streaming,
      renderBlock: (block: TextBlock) => {
        renders.set(block.index, (renders.get(block.index) ?? 0) + 1)
        return <p data-complete={block.complete}>{block.text}</p>
      },
    })
    const first = '# Heading\n\nFirst paragraph.\n\n'
    const view = mount(props(''))
    let text = first
    view.update(props(text))
    const settled = { heading: renders.get(0), paragraph: renders.get(1) }
    for (const word of 'the second paragraph grows one word at a time'.split(' ')) {
      text += `${word} `
      view.update(props(text))
    }
    expect(renders.get(0)).toBe(settled.heading)
    expect(renders.get(1)).toBe(settled.paragraph)
    expect(renders.get(2)).toBe(9)
    const paragraphs = view.container.querySelectorAll('p[data-complete]')
    expect(Array.from(paragraphs, (p) => p.textContent)).toEqual([
      '# Heading',
      'First paragraph.',
      'the second paragraph grows one word at a time ',
    ])
    expect(paragraphs[2]).toHaveAttribute('data-complete', 'false')
    view.update(props(text, false))
    expect(view.container.querySelectorAll('p[data-complete="true"]')).toHaveLength(3)
  })
})
