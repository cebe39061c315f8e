// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import { type ChatMessage, syncScheduler } from '@rivulet/core'
import { controlledTransport } from '@rivulet/core/testing'
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { createRef } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChatWindow } from './chat-window.js'
import { shownText, stubReducedMotion } from './testing/dom.js'
import { finish, text } from './testing/transport.js'

beforeEach(() => stubReducedMotion(true))
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const MARKDOWN_ANSWER = '## Steps\n\n1. **Mix** the `flour`.\n2. Bake.'

const history: ChatMessage[] = [
  { id: 'q1', role: 'user', parts: [{ type: 'text', text: 'How do I bake?' }], content: 'How do I bake?' },
  {
    id: 'a1',
    role: 'assistant',
    parts: [{ type: 'text', text: MARKDOWN_ANSWER }],
    content: MARKDOWN_ANSWER,
    status: 'done',
  },
]

function setup(initialMessages: ChatMessage[] = history) {
  const stream = controlledTransport()
  const view = render(
    <ChatWindow
      transport={stream.transport}
      scheduler={syncScheduler}
      stats={false}
      initialMessages={initialMessages}
    />,
  )
  const articles = () =>
    Array.from(view.container.querySelectorAll<HTMLElement>('article[data-rivulet="chat-message"]'))
  const answerWith = async (...chunks: string[]) => {
    await act(async () => {
      for (const chunk of chunks) stream.push(text(chunk))
      stream.push(finish)
      stream.push('end')
    })
  }
  return { ...stream, view, articles, answerWith, input: screen.getByRole('textbox', { name: 'Message' }) }
}

describe('Copy', () => {
  it("copies an answer's markdown source exactly, not its rendered text, and says it did", async () => {
    const writeText = vi.fn(() => Promise.resolve())
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const chat = setup()
    const answer = chat.articles()[1]!
    expect(answer.querySelector('strong')).toHaveTextContent('Mix')
    await act(async () => fireEvent.click(within(answer).getByRole('button', { name: 'Copy' })))
    expect(writeText).toHaveBeenCalledWith(MARKDOWN_ANSWER)
    expect(within(answer).getByRole('button', { name: 'Copied' })).toBeInTheDocument()
    await act(async () => fireEvent.click(within(chat.articles()[0]!).getByRole('button', { name: 'Copy' })))
    expect(writeText).toHaveBeenLastCalledWith('How do I bake?')
  })
})

describe('Edit', () => {
  it('edits a question and sends it again; the first version stays, with a version picker', async () => {
    const chat = setup()
    fireEvent.click(within(chat.articles()[0]!).getByRole('button', { name: 'Edit' }))
    const field = screen.getByRole('textbox', { name: 'Edit message' })
    expect(field).toHaveFocus()
    expect(field).toHaveValue('How do I bake?')
    fireEvent.change(field, { target: { value: 'How do I bake bread?' } })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save and send' })))
    expect(chat.requests).toHaveLength(1)
    expect(chat.requests[0]!.messages.map((m) => m.content)).toEqual(['How do I bake bread?'])
    await chat.answerWith('Knead it.')

    const [question, answer] = chat.articles()
    expect(question!.querySelector('[data-rivulet="message-content"]')).toHaveTextContent('How do I bake bread?')
    expect(shownText(answer!)).toBe('Knead it.')
    expect(within(question!).getByText('2 / 2')).toBeInTheDocument()

    await act(async () => fireEvent.click(within(question!).getByRole('button', { name: 'Previous version' })))
    const [first, firstAnswer] = chat.articles()
    expect(first!.querySelector('[data-rivulet="message-content"]')).toHaveTextContent('How do I bake?')
    expect(within(first!).getByText('1 / 2')).toBeInTheDocument()
    expect(firstAnswer!.querySelector('strong')).toHaveTextContent('Mix')
  })

  it('Escape cancels the edit without sending', () => {
    const chat = setup()
    fireEvent.click(within(chat.articles()[0]!).getByRole('button', { name: 'Edit' }))
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Edit message' }), { key: 'Escape' })
    expect(screen.queryByRole('textbox', { name: 'Edit message' })).toBeNull()
    expect(chat.requests).toHaveLength(0)
  })
})

describe('Regenerate and versions', () => {
  it('regenerates the last answer, keeps the old one as a version, and puts focus in the composer', async () => {
    const chat = setup()
    const regenerate = within(chat.articles()[1]!).getByRole('button', { name: 'Regenerate' })
    regenerate.focus()
    await act(async () => fireEvent.click(regenerate))
    expect(chat.input).toHaveFocus()
    await chat.answerWith('Preheat the oven.')
    const answer = chat.articles()[1]!
    expect(shownText(answer)).toBe('Preheat the oven.')
    expect(within(answer).getByText('2 / 2')).toBeInTheDocument()
    // Next wraps around to the first version.
    await act(async () => fireEvent.click(within(answer).getByRole('button', { name: 'Next version' })))
    expect(chat.articles()[1]!.querySelector('strong')).toHaveTextContent('Mix')
    expect(within(chat.articles()[1]!).getByText('1 / 2')).toBeInTheDocument()
  })

  it('puts focus back on the version button of the version it switched to', async () => {
    const chat = setup()
    await act(async () => fireEvent.click(within(chat.articles()[1]!).getByRole('button', { name: 'Regenerate' })))
    await chat.answerWith('Second.')
    const previous = within(chat.articles()[1]!).getByRole('button', { name: 'Previous version' })
    previous.focus()
    await act(async () => fireEvent.click(previous))
    // The old button left with its message; the same one of the version now shown gets focus.
    previous.blur()
    await waitFor(() =>
      expect(within(chat.articles()[1]!).getByRole('button', { name: 'Previous version' })).toHaveFocus(),
    )
  })

  it('has no Regenerate on an answer that is not the last, nor while one streams', async () => {
    const chat = setup()
    fireEvent.change(chat.input, { target: { value: 'And then?' } })
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await act(async () => chat.push(text('Let it')))
    expect(screen.queryByRole('button', { name: 'Regenerate' })).toBeNull()
    await chat.answerWith(' cool.')
    const regenerate = screen.getAllByRole('button', { name: 'Regenerate' })
    expect(regenerate).toHaveLength(1)
    expect(chat.articles().at(-1)).toContainElement(regenerate[0]!)
  })
})

describe('refs', () => {
  it('ChatWindow forwards its ref to the chat element', () => {
    const ref = createRef<HTMLElement>()
    const stream = controlledTransport()
    render(<ChatWindow ref={ref} transport={stream.transport} />)
    expect(ref.current).toHaveAttribute('data-rivulet', 'chat')
  })
})
