// @vitest-environment jsdom
import type { StreamPart, Transport, TransportRequest } from '@rivulet/core'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { useStreamQuery } from './query.js'

afterEach(cleanup)

function counting(parts: StreamPart[], hold?: Promise<void>) {
  const requests: TransportRequest[] = []
  const transport: Transport = async function* (request) {
    requests.push(request)
    for (const part of parts) {
      if (hold && part.type === 'finish') await hold
      yield part
    }
  }
  return { transport, requests }
}

function Answer({ transport, id }: { transport: Transport; id: string }) {
  const { data, status } = useStreamQuery({ queryKey: ['answer', id], transport, messages: `Question ${id}` })
  return (
    <p data-testid={`answer-${id}`}>
      {status}:{data?.text}:{data?.done ? 'done' : 'streaming'}
    </p>
  )
}

describe('useStreamQuery', () => {
  it('accumulates the streamed text and serves a cache hit without refetching', async () => {
    const { transport, requests } = counting([
      { type: 'text-delta', text: 'Forty' },
      { type: 'text-delta', text: '-two' },
      { type: 'finish', reason: 'stop' },
    ])
    const client = new QueryClient()
    const view = render(
      <QueryClientProvider client={client}>
        <Answer transport={transport} id="1" />
      </QueryClientProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('answer-1').textContent).toBe('success:Forty-two:done'))
    view.unmount()
    render(
      <QueryClientProvider client={client}>
        <Answer transport={transport} id="1" />
        <Answer transport={transport} id="1" />
      </QueryClientProvider>,
    )
    expect(screen.getAllByTestId('answer-1').map((p) => p.textContent)).toEqual([
      'success:Forty-two:done',
      'success:Forty-two:done',
    ])
    expect(requests).toHaveLength(1)
    expect(requests[0]?.messages).toEqual([
      { id: 'prompt', role: 'user', parts: [{ type: 'text', text: 'Question 1' }], content: 'Question 1' },
    ])
  })

  it('cancelling the query aborts the stream', async () => {
    let release!: () => void
    const { transport, requests } = counting(
      [
        { type: 'text-delta', text: 'partial' },
        { type: 'finish', reason: 'stop' },
      ],
      new Promise<void>((resolve) => (release = resolve)),
    )
    const client = new QueryClient()
    render(
      <QueryClientProvider client={client}>
        <Answer transport={transport} id="2" />
      </QueryClientProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('answer-2').textContent).toBe('success:partial:streaming'))
    await act(() => client.cancelQueries({ queryKey: ['answer', '2'] }))
    expect(requests[0]?.signal.aborted).toBe(true)
    release()
  })

  it("builds the answer with core's reducer: parts in order, tool calls included", async () => {
    const { transport } = counting([
      { type: 'text-delta', text: 'Looking.' },
      { type: 'tool-call', index: 0, id: 'c1', name: 'search', args: { q: 'x' } },
      { type: 'finish', reason: 'tool-calls' },
    ])
    const client = new QueryClient()
    function Parts() {
      const { data } = useStreamQuery({ queryKey: ['parts'], transport, messages: 'Find x' })
      return <p data-testid="parts">{data?.done ? JSON.stringify(data.parts) : ''}</p>
    }
    render(
      <QueryClientProvider client={client}>
        <Parts />
      </QueryClientProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('parts').textContent).not.toBe(''))
    expect(JSON.parse(screen.getByTestId('parts').textContent as string)).toEqual([
      { type: 'text', text: 'Looking.' },
      { type: 'tool', toolCallId: 'c1', name: 'search', state: 'input-available', input: { q: 'x' } },
    ])
  })
})
