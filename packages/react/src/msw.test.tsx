// @vitest-environment jsdom
import { openaiCompatible, syncScheduler } from '@rivulet/core'
import { openaiChatHandler, type RecordedRequest } from '@rivulet/msw'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { useStreamingChat } from './use-streaming-chat.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  cleanup()
  server.resetHandlers()
  vi.useRealTimers()
})
afterAll(() => server.close())

const transport = openaiCompatible({ baseURL: 'https://api.test/v1', model: 'gpt-4o-mini', apiKey: 'sk-test' })

function Chat({ stallTimeoutMs }: { stallTimeoutMs?: number }) {
  const chat = useStreamingChat({ transport, scheduler: syncScheduler, stallTimeoutMs, retry: { baseDelayMs: 1 } })
  const answer = chat.messages.at(-1)
  return (
    <div>
      <p data-testid="status">{chat.status}</p>
      <p data-testid="answer">{answer?.role === 'assistant' ? answer.content : ''}</p>
      <p data-testid="error">{chat.error ? `${chat.error.kind}: ${chat.error.message}` : ''}</p>
      <button type="button" onClick={() => void chat.send('Hi')}>
        send
      </button>
      <button type="button" onClick={chat.abort}>
        stop
      </button>
    </div>
  )
}

const text = (id: string) => screen.getByTestId(id).textContent

/** Runs a whole exchange: click send, then let the mocked stream play out. */
async function sendAndSettle(ms = 0) {
  await act(async () => {
    fireEvent.click(screen.getByText('send'))
    if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(ms)
  })
  await vi.waitFor(() => expect(['done', 'error', 'aborted']).toContain(text('status')))
}

describe('useStreamingChat against mocked provider streams', () => {
  it('streams a real OpenAI wire format, split mid-character, to done', async () => {
    server.use(openaiChatHandler({ script: { text: 'Héllo 👋🏽, wörld!' }, timing: { chunkBytes: [1, 3] } }))
    render(<Chat />)
    await sendAndSettle()
    expect(text('status')).toBe('done')
    expect(text('answer')).toBe('Héllo 👋🏽, wörld!')
  })

  it('shows the partial text while streaming and keeps it when stopped', async () => {
    vi.useFakeTimers()
    server.use(
      openaiChatHandler({ script: { text: ['one ', 'two ', 'three ', 'four'] }, timing: { tokensPerSecond: 10 } }),
    )
    render(<Chat />)
    await act(async () => {
      fireEvent.click(screen.getByText('send'))
      await vi.advanceTimersByTimeAsync(150)
    })
    // Tokens at 0, 100, 200… ms: two by 150 ms.
    expect(text('status')).toBe('streaming')
    expect(text('answer')).toBe('one two ')
    await act(async () => fireEvent.click(screen.getByText('stop')))
    await act(async () => vi.advanceTimersByTimeAsync(1000))
    expect(text('status')).toBe('aborted')
    expect(text('answer')).toBe('one two ')
  })

  it('retries after a 429 and then streams', async () => {
    const requests: RecordedRequest[] = []
    server.use(
      openaiChatHandler({
        fault: { type: 'http', status: 429, headers: { 'retry-after': '0' } },
        once: true,
        onRequest: (request) => requests.push(request),
      }),
      openaiChatHandler({ script: { text: 'Second time lucky.' }, onRequest: (request) => requests.push(request) }),
    )
    render(<Chat />)
    await sendAndSettle()
    expect(requests).toHaveLength(2)
    expect(text('answer')).toBe('Second time lucky.')
  })

  it('ends in error on a provider error event, keeping the text before it', async () => {
    server.use(
      openaiChatHandler({
        script: { text: ['Partial ', 'answer'] },
        fault: { type: 'provider-error', afterTokens: 1, message: 'The model is overloaded', code: 'overloaded' },
      }),
    )
    render(<Chat />)
    await sendAndSettle()
    expect(text('status')).toBe('error')
    expect(text('answer')).toBe('Partial ')
    expect(text('error')).toBe('provider: The model is overloaded')
  })

  it('ends in error when the connection drops mid-stream, keeping the text', async () => {
    server.use(openaiChatHandler({ script: { text: ['kept ', 'lost'] }, fault: { type: 'drop', afterTokens: 1 } }))
    render(<Chat />)
    await sendAndSettle()
    expect(text('status')).toBe('error')
    expect(text('answer')).toBe('kept ')
    expect(text('error')).toMatch(/^(network|interrupted): /)
  })

  it('ends in a timeout when the stream stalls', async () => {
    vi.useFakeTimers()
    server.use(
      openaiChatHandler({
        script: { text: ['before ', 'after'] },
        fault: { type: 'stall', afterTokens: 1, ms: 60_000 },
      }),
    )
    render(<Chat stallTimeoutMs={5000} />)
    await sendAndSettle(5100)
    expect(text('status')).toBe('error')
    expect(text('answer')).toBe('before ')
    expect(text('error')).toMatch(/^timeout: /)
  })
})
