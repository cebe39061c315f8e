// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import type { ChatStatus, StreamProgress } from '@rivulet/core'
import { act, cleanup, render } from '@testing-library/react'
import { createRef } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { StreamStats } from './stream-stats.js'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const source = (status: ChatStatus, progress: StreamProgress | undefined) => ({ status, progress })
const stat = (container: HTMLElement, name: string) => container.querySelector(`[data-stat="${name}"] dd`)?.textContent

describe('StreamStats', () => {
  it('shows TTFT, tokens/s, tokens and elapsed time', () => {
    const { container } = render(
      <StreamStats source={source('done', { tokens: 128, elapsedMs: 3250, ttftMs: 320, tokensPerSecond: 43.27 })} />,
    )
    expect(stat(container, 'ttft')).toBe('320 ms')
    expect(stat(container, 'tokens-per-second')).toBe('43.3')
    expect(stat(container, 'tokens')).toBe('128')
    expect(stat(container, 'elapsed')).toBe('3.3 s')
    expect(container.querySelector('dl')).toHaveAttribute('data-status', 'done')
  })

  it('isolates each value in a <bdi>, so numbers keep their order inside right-to-left text', () => {
    const { container } = render(
      <div dir="rtl">
        <StreamStats source={source('done', { tokens: 128, elapsedMs: 3250, ttftMs: 320, tokensPerSecond: 43.27 })} />
      </div>,
    )
    const isolated = Array.from(container.querySelectorAll('dd > bdi'), (node) => node.textContent)
    expect(isolated).toEqual(['320 ms', '43.3', '128', '3.3 s'])
  })

  it('forwards its ref to the list', () => {
    const ref = createRef<HTMLDListElement>()
    render(<StreamStats ref={ref} source={source('idle', undefined)} />)
    expect(ref.current?.tagName).toBe('DL')
  })

  it('shows a dash before the first token', () => {
    const { container } = render(
      <StreamStats source={source('submitted', { tokens: 0, elapsedMs: 0, tokensPerSecond: 0 })} />,
    )
    expect(stat(container, 'ttft')).toBe('–')
  })

  it('draws tokens/s over time as an inline SVG sparkline', () => {
    const view = render(<StreamStats source={source('submitted', { tokens: 0, elapsedMs: 0, tokensPerSecond: 0 })} />)
    const rates = [20, 40, 40, 30, 50, 60]
    let tokens = 0
    for (const [i, rate] of rates.entries()) {
      tokens += rate / 4 // a quarter of a second at this rate
      const progress = { tokens, elapsedMs: 300 + i * 250, ttftMs: 300, tokensPerSecond: rate }
      view.rerender(<StreamStats source={source('streaming', progress)} />)
    }
    const svg = view.container.querySelector('svg[data-rivulet="sparkline"]')!
    expect(svg).toHaveAttribute('aria-hidden', 'true')
    const points = svg.querySelector('polyline')?.getAttribute('points')?.split(' ') ?? []
    expect(points).toHaveLength(rates.length)
    for (const point of points) expect(point).toMatch(/^\d+(\.\d)?,\d+(\.\d)?$/)
  })

  it('keeps elapsed time ticking while the stream is live', () => {
    const view = render(
      <StreamStats source={source('streaming', { tokens: 5, elapsedMs: 1000, tokensPerSecond: 4 })} />,
    )
    act(() => vi.advanceTimersByTime(500))
    expect(stat(view.container, 'elapsed')).toBe('1.5 s')
  })

  it('can leave the sparkline out and rename the stats', () => {
    const { container } = render(
      <StreamStats
        source={source('done', { tokens: 1, elapsedMs: 10, tokensPerSecond: 0 })}
        sparkline={false}
        labels={{ tokens: 'jetons' }}
      />,
    )
    expect(container.querySelector('svg')).toBeNull()
    expect(container.querySelector('[data-stat="tokens"] dt')?.textContent).toBe('jetons')
  })
})
