// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import { StreamError, syncScheduler, type Transport } from '@rivulet/core'
import { controlledTransport } from '@rivulet/core/testing'
import { useStreamingChat } from '@rivulet/react'
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChatWindow } from './chat-window.js'
import { announcements, shownText, stubReducedMotion } from './testing/dom.js'
import { finish, reasoning, text } from './testing/transport.js'

beforeEach(() => {
  // Text shows as it arrives, so these tests need no animation frames.
  stubReducedMotion(true)
})

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

function setup(extra: Partial<Parameters<typeof ChatWindow>[0]> = {}) {
  const stream = controlledTransport()
  const view = render(
    <ChatWindow transport={stream.transport} scheduler={syncScheduler} retry={false} stats={false} {...extra} />,
  )
  const input = screen.getByRole('textbox', { name: 'Message' })
  const type = (value: string) => fireEvent.change(input, { target: { value } })
  const answers = () => Array.from(view.container.querySelectorAll('article[data-role="assistant"]'))
  return { ...stream, view, input, type, answers, lastAnswer: () => answers().at(-1)! }
}

async function answer(push: ReturnType<typeof controlledTransport>['push'], ...chunks: string[]) {
  await act(async () => {
    for (const chunk of chunks) push(text(chunk))
    push(finish)
    push('end')
  })
}

describe('ChatWindow composer', () => {
  it('sends with Enter and clears the input; Shift+Enter does not send', async () => {
    const chat = setup()
    chat.type('Hello')
    fireEvent.keyDown(chat.input, { key: 'Enter', shiftKey: true })
    expect(chat.requests).toHaveLength(0)
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    expect(chat.requests).toHaveLength(1)
    expect(chat.requests[0]!.messages.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'Hello' },
    ])
    expect(chat.input).toHaveValue('')
    expect(chat.view.container.querySelector('article[data-role="user"]')).toHaveTextContent('Hello')

    await answer(chat.push, 'Hi ', 'there.')
    expect(shownText(chat.lastAnswer())).toBe('Hi there.')
    expect(chat.view.container.querySelector('[data-rivulet="chat"]')).toHaveAttribute('data-status', 'done')
  })

  it('sends with the Send button, and not an empty message', () => {
    const chat = setup()
    const send = screen.getByRole('button', { name: 'Send' })
    expect(send).toBeDisabled()
    chat.type('   ')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    expect(chat.requests).toHaveLength(0)
    chat.type('Question')
    fireEvent.click(send)
    expect(chat.requests).toHaveLength(1)
  })

  it('does not send while an answer streams', async () => {
    const chat = setup()
    chat.type('First')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () => chat.push(text('Typing')))
    chat.type('Second')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    expect(chat.requests).toHaveLength(1)
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled()
    expect(chat.input).toHaveValue('Second')
  })
})

describe('ChatWindow answers', () => {
  it('stops a streaming answer, keeps what arrived, and says it stopped', async () => {
    const chat = setup()
    chat.type('Tell me a story')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () => chat.push(text('Once upon a time')))
    expect(chat.lastAnswer()).toHaveAttribute('data-status', 'streaming')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Stop' })))
    expect(chat.requests[0]!.signal.aborted).toBe(true)
    expect(chat.lastAnswer()).toHaveAttribute('data-status', 'aborted')
    expect(shownText(chat.lastAnswer())).toBe('Once upon a time')
    // Announced from the chat's one live region, outside the message.
    expect(announcements(chat.lastAnswer())).toEqual([])
    expect(announcements(chat.view.container)).toEqual(['Once upon a time', 'Response stopped.'])
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull()
    expect(chat.input).toHaveFocus()
  })

  it('regenerates the last answer from the same conversation', async () => {
    const chat = setup()
    chat.type('Pick a number')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await answer(chat.push, 'Seven.')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Regenerate' })))
    expect(chat.requests).toHaveLength(2)
    expect(chat.requests[1]!.messages.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'Pick a number' },
    ])
    await answer(chat.push, 'Three.')
    expect(chat.answers().map((a) => shownText(a))).toEqual(['Three.'])
  })

  it('shows an error with a retry button that asks again', async () => {
    const chat = setup()
    chat.type('Hello')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () => chat.push(new StreamError('provider', 'Overloaded, try later')))
    expect(screen.getByRole('alert')).toHaveTextContent('The model could not answer.')
    const error = chat.lastAnswer().querySelector('[data-rivulet="chat-error"]') as HTMLElement
    expect(error.querySelector('[data-rivulet="error-details"] code')).toHaveTextContent('Overloaded, try later')
    expect(chat.lastAnswer()).toHaveAttribute('data-status', 'error')
    await act(async () => fireEvent.click(within(error).getByRole('button', { name: 'Retry' })))
    expect(chat.requests).toHaveLength(2)
    await answer(chat.push, 'Hello!')
    expect(screen.queryByRole('alert')).toBeNull()
    expect(shownText(chat.lastAnswer())).toBe('Hello!')
  })

  it('shows reasoning open while it streams, then closed with how long it took', async () => {
    const chat = setup()
    chat.type('Why?')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () => chat.push(reasoning('Let me think about the question.')))
    const details = chat.lastAnswer().querySelector('details[data-rivulet="reasoning"]') as HTMLDetailsElement
    expect(details.open).toBe(true)
    expect(details).toHaveAttribute('data-status', 'streaming')
    expect(details.querySelector('summary')).toHaveTextContent('Thinking…')
    expect(details).toHaveTextContent('Let me think about the question.')
    await answer(chat.push, 'Because.')
    expect(details.open).toBe(false)
    expect(details).toHaveAttribute('data-status', 'done')
    expect(details.querySelector('summary')).toHaveTextContent(/^Thought for \d+ s$/)
    expect(shownText(chat.lastAnswer())).toBe('Because.')
  })

  it('shows tool calls with their arguments', async () => {
    const chat = setup()
    chat.type('Weather in Paris?')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () =>
      chat.push({ type: 'tool-call', index: 0, id: 'call_1', name: 'get_weather', args: { city: 'Paris', unit: 'C' } }),
    )
    const call = chat.lastAnswer().querySelector('[data-rivulet="tool-call"]')!
    expect(call).toHaveAttribute('data-tool', 'get_weather')
    expect(call.querySelector('[data-rivulet="tool-name"]')).toHaveTextContent('get_weather')
    expect(JSON.parse(call.querySelector('[data-rivulet="tool-arguments"] code')!.textContent!)).toEqual({
      city: 'Paris',
      unit: 'C',
    })
  })

  it('renders model output and user input as text, never as HTML', async () => {
    const chat = setup()
    chat.type('<img src=x onerror=alert(1)>')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await answer(chat.push, '<img src=x onerror=alert(1)>')
    expect(chat.view.container.querySelector('img')).toBeNull()
    expect(shownText(chat.lastAnswer())).toBe('<img src=x onerror=alert(1)>')
  })

  it('shows progress and stats of the answer', async () => {
    const chat = setup({ stats: true })
    chat.type('Hi')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () => chat.push(text('Hello')))
    expect(screen.getByRole('progressbar')).toHaveAttribute('data-status', 'streaming')
    await answer(chat.push, ' world')
    expect(screen.queryByRole('progressbar')).toBeNull()
    expect(chat.view.container.querySelector('[data-rivulet="stream-stats"]')).toHaveAttribute('data-status', 'done')
  })

  it('passes its labels on to the progress bar and the stats', async () => {
    const chat = setup({
      stats: true,
      labels: { progress: 'Avancement', tokensPerSecond: 'jetons/s', tokens: 'jetons' },
    })
    chat.type('Salut')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () => chat.push(text('Bonjour')))
    expect(screen.getByRole('progressbar', { name: 'Avancement' })).toBeInTheDocument()
    const stats = chat.view.container.querySelector('[data-rivulet="stream-stats"]')!
    expect(within(stats as HTMLElement).getByText('jetons/s')).toBeInTheDocument()
    expect(within(stats as HTMLElement).getByText('jetons')).toBeInTheDocument()
    await answer(chat.push)
  })
})

describe('ChatWindow with an existing chat', () => {
  it('drives the chat it is given', async () => {
    const stream = controlledTransport()
    function App({ transport }: { transport: Transport }) {
      const chat = useStreamingChat({ transport, scheduler: syncScheduler })
      return (
        <>
          <output>{chat.messages.length}</output>
          <ChatWindow chat={chat} stats={false} labels={{ send: 'Go' }} />
        </>
      )
    }
    const view = render(<App transport={stream.transport} />)
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'Hi' } })
    fireEvent.click(screen.getByRole('button', { name: 'Go' }))
    await answer(stream.push, 'Hello.')
    expect(view.container.querySelector('output')).toHaveTextContent('2')
    expect(shownText(view.container.querySelector('[data-role="assistant"]')!)).toBe('Hello.')
  })
})

describe('ChatWindow scrolling', () => {
  /** A message list with a controllable size, and ResizeObserver callbacks the test fires. */
  function scrollable() {
    const observers: (() => void)[] = []
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(callback: () => void) {
          observers.push(callback)
        }
        observe() {}
        disconnect() {}
      },
    )
    const chat = setup()
    const list = chat.view.container.querySelector('[data-rivulet="chat-messages"]') as HTMLElement
    const box = { scrollHeight: 100, clientHeight: 100, scrollTop: 0 }
    Object.defineProperties(list, {
      scrollHeight: { get: () => box.scrollHeight },
      clientHeight: { get: () => box.clientHeight },
      scrollTop: {
        get: () => box.scrollTop,
        set: (value: number) => (box.scrollTop = Math.min(value, box.scrollHeight - box.clientHeight)),
      },
    })
    const grow = (height: number) => {
      box.scrollHeight = height
      act(() => {
        for (const observer of observers) observer()
      })
    }
    const userScroll = (top: number) => {
      box.scrollTop = top
      fireEvent.scroll(list)
    }
    return { ...chat, list, box, grow, userScroll }
  }

  it('follows new text, stops when the user scrolls up, resumes at the bottom', () => {
    const chat = scrollable()
    chat.grow(500)
    expect(chat.box.scrollTop).toBe(400)
    expect(chat.list).toHaveAttribute('data-following', 'true')

    chat.userScroll(150)
    expect(chat.list).toHaveAttribute('data-following', 'false')
    chat.grow(800)
    expect(chat.box.scrollTop).toBe(150)

    chat.userScroll(690) // within the threshold of the bottom (700)
    expect(chat.list).toHaveAttribute('data-following', 'true')
    chat.grow(1000)
    expect(chat.box.scrollTop).toBe(900)
  })

  it('does not take its own scrolling for the user scrolling up', () => {
    const chat = scrollable()
    chat.grow(500)
    // Our scroll to the bottom fires a scroll event after the content grew again.
    chat.box.scrollHeight = 700
    fireEvent.scroll(chat.list)
    expect(chat.list).toHaveAttribute('data-following', 'true')
  })

  it('shows Jump to latest only while not following; it follows again and gives focus to the composer', () => {
    const chat = scrollable()
    chat.type('Hi')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    chat.grow(500)
    expect(screen.queryByRole('button', { name: 'Jump to latest' })).toBeNull()
    chat.userScroll(100)
    fireEvent.click(screen.getByRole('button', { name: 'Jump to latest' }))
    expect(chat.list).toHaveAttribute('data-following', 'true')
    expect(chat.box.scrollTop).toBe(400)
    expect(screen.queryByRole('button', { name: 'Jump to latest' })).toBeNull()
    expect(chat.input).toHaveFocus()
  })

  it('End follows again at once', () => {
    const chat = scrollable()
    chat.grow(500)
    chat.userScroll(100)
    fireEvent.keyDown(chat.list, { key: 'End' })
    expect(chat.list).toHaveAttribute('data-following', 'true')
    expect(chat.box.scrollTop).toBe(400)
  })

  it('scrolling down to where the bottom was when the gesture began follows, though the text grew meanwhile', () => {
    const chat = scrollable()
    chat.grow(1000)
    chat.userScroll(200)
    expect(chat.list).toHaveAttribute('data-following', 'false')
    // The scroll heads for the bottom as it was (900); 120 px of text arrive before it gets there.
    chat.box.scrollHeight = 1120
    chat.box.scrollTop = 900
    fireEvent.scroll(chat.list)
    expect(chat.list).toHaveAttribute('data-following', 'true')
    expect(chat.box.scrollTop).toBe(1020)
  })

  it('follows again when the user sends a message', () => {
    const chat = scrollable()
    chat.grow(500)
    chat.userScroll(0)
    expect(chat.list).toHaveAttribute('data-following', 'false')
    chat.type('Back to the bottom')
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    expect(chat.list).toHaveAttribute('data-following', 'true')
    expect(chat.box.scrollTop).toBe(400)
  })
})
