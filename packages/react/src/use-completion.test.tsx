// @vitest-environment jsdom
import { type StreamPart, syncScheduler, type Transport, type TransportRequest } from '@rivulet/core'
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { useCompletion } from './use-completion.js'

afterEach(cleanup)

describe('useCompletion', () => {
  it('streams one answer per prompt, with no history between prompts', async () => {
    const requests: TransportRequest[] = []
    const transport: Transport = async function* (request) {
      requests.push(request)
      const prompt = request.messages.at(-1)?.content ?? ''
      yield { type: 'text-delta', text: `answer to ${prompt}` } satisfies StreamPart
      yield { type: 'finish', reason: 'stop' } satisfies StreamPart
    }
    let api!: ReturnType<typeof useCompletion>
    function Probe() {
      api = useCompletion({ transport, system: 'Be brief.', scheduler: syncScheduler })
      return (
        <p data-testid="out">
          {api.status}: {api.completion}
        </p>
      )
    }
    render(<Probe />)
    await act(() => api.complete('one'))
    expect(screen.getByTestId('out').textContent).toBe('done: answer to one')
    await act(() => api.complete('two'))
    expect(screen.getByTestId('out').textContent).toBe('done: answer to two')
    expect(requests.map((r) => r.messages.map(({ role, content }) => ({ role, content })))).toEqual([
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'one' },
      ],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'two' },
      ],
    ])
  })
})
