// @vitest-environment jsdom
import { createChatSession, type StreamPart, syncScheduler, type Transport } from '@rivulet/core'
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type ProgressSource, useStreamProgress } from './use-stream-progress.js'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

function Readout({ source }: { source: ProgressSource }) {
  const p = useStreamProgress(source)
  return (
    <p data-testid="readout">
      {p.status} {p.tokens} {Math.round(p.elapsedMs)} {p.ttftMs ?? '-'} {p.isLive ? 'live' : 'still'}
    </p>
  )
}

describe('useStreamProgress', () => {
  it('ticks elapsed time while a stream is live, then stops', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearInterval', 'clearTimeout', 'performance', 'Date'] })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const transport: Transport = async function* () {
      await gate
      yield { type: 'text-delta', text: 'hi' } satisfies StreamPart
      yield { type: 'finish', reason: 'stop' } satisfies StreamPart
    }
    const session = createChatSession({ transport, scheduler: syncScheduler })
    render(<Readout source={session} />)
    expect(screen.getByTestId('readout').textContent).toBe('idle 0 0 - still')
    await act(async () => void session.send('Hi'))
    expect(screen.getByTestId('readout').textContent).toBe('submitted 0 0 - live')
    await act(async () => vi.advanceTimersByTime(350))
    expect(screen.getByTestId('readout').textContent).toBe('submitted 0 350 - live')
    await act(async () => {
      release()
      await vi.advanceTimersByTimeAsync(0)
    })
    const done = screen.getByTestId('readout').textContent
    expect(done).toMatch(/^done 1 \d+ \d+ still$/)
    await act(async () => vi.advanceTimersByTime(1000))
    expect(screen.getByTestId('readout').textContent).toBe(done)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('accepts a hook result or a bare progress value', () => {
    render(
      <Readout source={{ status: 'done', progress: { tokens: 7, elapsedMs: 900, ttftMs: 120, tokensPerSecond: 8 } }} />,
    )
    expect(screen.getByTestId('readout').textContent).toBe('done 7 900 120 still')
    cleanup()
    render(<Readout source={{ tokens: 3, elapsedMs: 50, tokensPerSecond: 0 }} />)
    expect(screen.getByTestId('readout').textContent).toBe('streaming 3 50 - still')
  })
})
