// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import type { ChatStatus, StreamProgress } from '@rivulet/core'
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { StreamProgressBar } from './stream-progress-bar.js'

afterEach(cleanup)

const progress = (extra: Partial<StreamProgress> = {}): StreamProgress => ({
  tokens: 42,
  elapsedMs: 1500,
  ttftMs: 300,
  tokensPerSecond: 35,
  ...extra,
})
const source = (status: ChatStatus, value: StreamProgress | undefined) => ({ status, progress: value })

describe('StreamProgressBar', () => {
  it('is determinate with an estimate: aria values, percent and time left', () => {
    render(
      <StreamProgressBar
        source={source('streaming', progress({ estimatedTokens: 100, percent: 42.4, etaMs: 1650 }))}
      />,
    )
    const bar = screen.getByRole('progressbar', { name: 'Response progress' })
    expect(bar).toHaveAttribute('aria-valuemin', '0')
    expect(bar).toHaveAttribute('aria-valuemax', '100')
    expect(bar).toHaveAttribute('aria-valuenow', '42')
    expect(bar).toHaveAttribute('aria-valuetext', '42%, about 1.6 s left')
    expect(bar).toHaveAttribute('data-state', 'loading')
    expect(bar).toHaveAttribute('data-status', 'streaming')
    expect(bar.style.getPropertyValue('--rivulet-progress')).toBe('0.42')
  })

  it('is indeterminate without an estimate: no aria-valuenow', () => {
    render(<StreamProgressBar source={source('streaming', progress())} />)
    const bar = screen.getByRole('progressbar')
    expect(bar).not.toHaveAttribute('aria-valuenow')
    expect(bar).not.toHaveAttribute('aria-valuetext')
    expect(bar).toHaveAttribute('data-state', 'indeterminate')
    expect(bar.querySelector('[data-rivulet="progress-indicator"]')).toHaveAttribute('data-state', 'indeterminate')
  })

  it('is complete when the stream is done, estimate or not', () => {
    render(
      <StreamProgressBar
        source={source('done', progress())}
        aria-label="Answer"
        formatValueText={(p) => `${p} percent`}
      />,
    )
    const bar = screen.getByRole('progressbar', { name: 'Answer' })
    expect(bar).toHaveAttribute('aria-valuenow', '100')
    expect(bar).toHaveAttribute('aria-valuetext', '100 percent')
    expect(bar).toHaveAttribute('data-state', 'complete')
  })

  it('waits indeterminate before the first progress', () => {
    render(<StreamProgressBar source={source('submitted', undefined)} />)
    expect(screen.getByRole('progressbar')).toHaveAttribute('data-status', 'submitted')
    expect(screen.getByRole('progressbar')).toHaveAttribute('data-state', 'indeterminate')
  })
})
