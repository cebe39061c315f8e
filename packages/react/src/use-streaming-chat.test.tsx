// @vitest-environment jsdom
import {
  type ChatSession,
  createChatSession,
  type Scheduler,
  StreamError,
  type StreamPart,
  syncScheduler,
  type Transport,
} from '@rivulet/core'
import { controlledTransport } from '@rivulet/core/testing'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { memo, Profiler, StrictMode, useState } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useChatSelector } from './use-chat-session.js'
import { useStreamingChat } from './use-streaming-chat.js'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

function Chat({ transport, scheduler = syncScheduler }: { transport: Transport; scheduler?: Scheduler }) {
  const chat = useStreamingChat({ transport, scheduler })
  return (
    <div>
      <p data-testid="status">{chat.status}</p>
      {chat.messages.map((m) => (
        <p key={m.id} data-testid={m.role}>
          {m.content}
        </p>
      ))}
      <button type="button" onClick={() => void chat.send('Hi')}>
        send
      </button>
      <button type="button" onClick={chat.abort}>
        stop
      </button>
      <button type="button" onClick={chat.reset}>
        reset
      </button>
      <button type="button" onClick={() => void chat.regenerate()}>
        regenerate
      </button>
      {chat.error && <p role="alert">{chat.error.kind}</p>}
    </div>
  )
}

const text = (value: string): StreamPart => ({ type: 'text-delta', text: value })

describe('useStreamingChat', () => {
  it('shows every status from submitted to done and the answer as it streams', async () => {
    const stream = controlledTransport()
    render(<Chat transport={stream.transport} />)
    expect(screen.getByTestId('status').textContent).toBe('idle')
    fireEvent.click(screen.getByText('send'))
    expect(screen.getByTestId('status').textContent).toBe('submitted')
    await act(async () => stream.push(text('Hel')))
    expect(screen.getByTestId('status').textContent).toBe('streaming')
    expect(screen.getByTestId('assistant').textContent).toBe('Hel')
    await act(async () => {
      stream.push(text('lo'))
      stream.push({ type: 'finish', reason: 'stop' })
      stream.push('end')
    })
    expect(screen.getByTestId('assistant').textContent).toBe('Hello')
    expect(screen.getByTestId('status').textContent).toBe('done')
  })

  it('abort mid-stream keeps the partial text', async () => {
    const stream = controlledTransport()
    render(<Chat transport={stream.transport} />)
    fireEvent.click(screen.getByText('send'))
    await act(async () => stream.push(text('Partial')))
    await act(async () => fireEvent.click(screen.getByText('stop')))
    expect(screen.getByTestId('status').textContent).toBe('aborted')
    expect(screen.getByTestId('assistant').textContent).toBe('Partial')
    expect(stream.requests[0]?.signal.aborted).toBe(true)
  })

  it('reset clears, regenerate asks again', async () => {
    const stream = controlledTransport()
    render(<Chat transport={stream.transport} />)
    fireEvent.click(screen.getByText('send'))
    await act(async () => {
      stream.push(text('one'))
      stream.push({ type: 'finish', reason: 'stop' })
      stream.push('end')
    })
    fireEvent.click(screen.getByText('regenerate'))
    await act(async () => {
      stream.push(text('two'))
      stream.push({ type: 'finish', reason: 'stop' })
      stream.push('end')
    })
    expect(screen.getAllByTestId('assistant').map((p) => p.textContent)).toEqual(['two'])
    expect(stream.requests).toHaveLength(2)
    await act(async () => fireEvent.click(screen.getByText('reset')))
    expect(screen.queryByTestId('user')).toBeNull()
    expect(screen.getByTestId('status').textContent).toBe('idle')
  })

  it('shows a provider error with the partial answer', async () => {
    const stream = controlledTransport()
    render(<Chat transport={stream.transport} />)
    fireEvent.click(screen.getByText('send'))
    await act(async () => {
      stream.push(text('so far'))
      stream.push(new StreamError('provider', 'Overloaded', { code: 'overloaded_error' }))
    })
    expect(screen.getByRole('alert').textContent).toBe('provider')
    expect(screen.getByTestId('assistant').textContent).toBe('so far')
  })

  it('sends once in StrictMode', async () => {
    const stream = controlledTransport()
    render(
      <StrictMode>
        <Chat transport={stream.transport} />
      </StrictMode>,
    )
    fireEvent.click(screen.getByText('send'))
    await act(async () => stream.push(text('x')))
    expect(stream.requests).toHaveLength(1)
    expect(screen.getByTestId('assistant').textContent).toBe('x')
  })

  it('unmount aborts the stream and no update follows', async () => {
    const stream = controlledTransport()
    const errors = vi.spyOn(console, 'error')
    const { unmount } = render(<Chat transport={stream.transport} />)
    fireEvent.click(screen.getByText('send'))
    await act(async () => stream.push(text('x')))
    unmount()
    expect(stream.requests[0]?.signal.aborted).toBe(true)
    await act(async () => stream.push(text('late')))
    expect(errors).not.toHaveBeenCalled()
  })

  it('new options do not recreate the session; the next send uses them', async () => {
    const first = controlledTransport()
    const second = controlledTransport()
    const sessions = new Set<ChatSession>()
    function Probe({ transport }: { transport: Transport }) {
      const chat = useStreamingChat({ transport, scheduler: syncScheduler })
      sessions.add(chat.session)
      return (
        <button type="button" onClick={() => void chat.send('Hi')}>
          send
        </button>
      )
    }
    const { rerender } = render(<Probe transport={first.transport} />)
    rerender(<Probe transport={second.transport} />)
    fireEvent.click(screen.getByText('send'))
    await act(async () => second.push(text('x')))
    expect(sessions.size).toBe(1)
    expect(first.requests).toHaveLength(0)
    expect(second.requests).toHaveLength(1)
  })

  it('commits at most once per animation frame with 5,000 tokens as fast as possible', async () => {
    const frames: Array<() => void> = []
    const frame: Scheduler = (flush) => {
      frames.push(flush)
      return () => {
        const i = frames.indexOf(flush)
        if (i !== -1) frames.splice(i, 1)
      }
    }
    const stream = controlledTransport()
    let commits = 0
    render(
      <Profiler id="chat" onRender={() => commits++}>
        <Chat transport={stream.transport} scheduler={frame} />
      </Profiler>,
    )
    fireEvent.click(screen.getByText('send'))
    const before = commits
    let framesRun = 0
    await act(async () => {
      for (let i = 0; i < 5000; i++) {
        stream.push(text('x'))
        // A frame every 100 tokens: far more tokens than frames.
        if (i % 100 === 99) {
          await new Promise((resolve) => setTimeout(resolve, 0))
          const flush = frames.shift()
          if (flush) {
            framesRun++
            flush()
          }
        }
      }
      stream.push({ type: 'finish', reason: 'stop' })
      stream.push('end')
      await new Promise((resolve) => setTimeout(resolve, 0))
    })
    expect(screen.getByTestId('assistant').textContent).toBe('x'.repeat(5000))
    // One commit per frame, plus the status changes (streaming, done) that notify at once.
    expect(commits - before).toBeLessThanOrEqual(framesRun + 2)
    expect(framesRun).toBeGreaterThan(10)
  })
})

describe('useChatSelector', () => {
  it('re-renders a component only when its slice changes, not per token', async () => {
    const stream = controlledTransport()
    const rendered: string[] = []
    function StatusOnly({ session }: { session: ChatSession }) {
      const status = useChatSelector(session, (s) => s.status)
      rendered.push(status)
      return <p data-testid="only-status">{status}</p>
    }
    function App() {
      const chat = useStreamingChat({ transport: stream.transport, scheduler: syncScheduler })
      const [session] = useState(chat.session)
      return (
        <>
          <StatusOnlyMemo session={session} />
          <button type="button" onClick={() => void chat.send('Hi')}>
            send
          </button>
        </>
      )
    }
    const StatusOnlyMemo = memo(StatusOnly)
    render(<App />)
    fireEvent.click(screen.getByText('send'))
    await act(async () => {
      for (let i = 0; i < 50; i++) stream.push(text('x'))
      stream.push({ type: 'finish', reason: 'stop' })
      stream.push('end')
    })
    expect(screen.getByTestId('only-status').textContent).toBe('done')
    // One render per status it passed through, none per token (React 18 may batch two statuses into one render).
    expect(new Set(rendered).size).toBe(rendered.length)
    expect(rendered.every((status) => ['idle', 'submitted', 'streaming', 'done'].includes(status))).toBe(true)
    expect(rendered.at(0)).toBe('idle')
    expect(rendered.at(-1)).toBe('done')
  })

  it('reads a shared session: one of two readers unmounting leaves the stream going', async () => {
    const stream = controlledTransport()
    const shared = createChatSession({ transport: stream.transport, scheduler: syncScheduler })
    function Reader({ id }: { id: string }) {
      const chat = useStreamingChat({ session: shared })
      return <p data-testid={id}>{chat.messages.at(-1)?.content}</p>
    }
    function Page({ both }: { both: boolean }) {
      return (
        <>
          <Reader id="a" />
          {both && <Reader id="b" />}
        </>
      )
    }
    const { rerender, unmount } = render(<Page both />)
    act(() => void shared.send('Hi'))
    await act(async () => stream.push(text('Hel')))
    rerender(<Page both={false} />)
    expect(stream.requests[0]?.signal.aborted).toBe(false)
    await act(async () => stream.push(text('lo')))
    expect(screen.getByTestId('a').textContent).toBe('Hello')
    unmount()
    // The session is not the hook's: unmounting its last reader does not stop it either.
    expect(stream.requests[0]?.signal.aborted).toBe(false)
    expect(shared.getSnapshot().status).toBe('streaming')
    shared.abort()
  })

  it('returns addToolResult and respondToApproval, and the tool loop goes on through them', async () => {
    const stream = controlledTransport()
    const execute = vi.fn(() => 'sent')
    function Tools() {
      const chat = useStreamingChat({
        transport: stream.transport,
        scheduler: syncScheduler,
        tools: { email: { inputSchema: {}, execute, needsApproval: true }, pick: { inputSchema: {} } },
      })
      const tools = chat.messages.at(-1)?.parts.filter((part) => part.type === 'tool') ?? []
      return (
        <div>
          <p data-testid="states">{tools.map((part) => part.state).join(',')}</p>
          <p data-testid="answer">{chat.messages.at(-1)?.content}</p>
          <button type="button" onClick={() => void chat.send('Go')}>
            send
          </button>
          <button type="button" onClick={() => chat.respondToApproval({ toolCallId: 'e1', approved: true })}>
            approve
          </button>
          <button type="button" onClick={() => chat.addToolResult({ toolCallId: 'p1', output: 'red' })}>
            result
          </button>
        </div>
      )
    }
    render(<Tools />)
    fireEvent.click(screen.getByText('send'))
    await act(async () => {
      stream.push({ type: 'tool-call', index: 0, id: 'e1', name: 'email', args: {} })
      stream.push({ type: 'tool-call', index: 1, id: 'p1', name: 'pick', args: {} })
      stream.push({ type: 'finish', reason: 'tool-calls' })
      stream.push('end')
    })
    expect(screen.getByTestId('states').textContent).toBe('approval-requested,input-available')
    await act(async () => fireEvent.click(screen.getByText('approve')))
    expect(execute).toHaveBeenCalledTimes(1)
    expect(screen.getByTestId('states').textContent).toBe('output-available,input-available')
    expect(stream.requests).toHaveLength(1)
    await act(async () => fireEvent.click(screen.getByText('result')))
    await vi.waitFor(() => expect(stream.requests).toHaveLength(2))
    await act(async () => {
      stream.push(text('Done.'))
      stream.push({ type: 'finish', reason: 'stop' })
      stream.push('end')
    })
    expect(screen.getByTestId('answer').textContent).toBe('Done.')
  })
})
