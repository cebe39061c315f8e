// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import type { ChatMessage, MessagePart, ToolPart } from '@rivulet/core'
import { syncScheduler } from '@rivulet/core'
import { controlledTransport } from '@rivulet/core/testing'
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { createRef } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChatWindow } from './chat-window.js'
import { FileView, ReasoningView, SourceList, StepBoundary } from './parts.js'
import { stubReducedMotion } from './testing/dom.js'
import { TOOL_PREVIEW_CHARS, ToolView } from './tool-view.js'

beforeEach(() => stubReducedMotion(true))
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const tool = (patch: Partial<ToolPart>): ToolPart => ({
  type: 'tool',
  toolCallId: 'call_1',
  name: 'get_weather',
  state: 'input-available',
  input: { city: 'Paris' },
  ...patch,
})

describe('ToolView', () => {
  it('shows each state with its own status, and the output or the error', () => {
    const { rerender, container } = render(<ToolView part={tool({ state: 'input-streaming', input: { ci: 'Pa' } })} />)
    const root = () => container.firstElementChild as HTMLElement
    expect(root()).toHaveAttribute('data-state', 'input-streaming')
    expect(screen.getByText('Preparing the call…')).toBeInTheDocument()
    expect(JSON.parse(root().querySelector('[data-rivulet="tool-arguments"] code')!.textContent!)).toEqual({ ci: 'Pa' })

    rerender(<ToolView part={tool({ state: 'input-available' })} />)
    expect(screen.getByText('Running…')).toBeInTheDocument()

    rerender(<ToolView part={tool({ state: 'output-available', output: { temperature: 18 } })} />)
    expect(screen.getByText('Done')).toBeInTheDocument()
    expect(JSON.parse(root().querySelector('[data-rivulet="tool-output"] code')!.textContent!)).toEqual({
      temperature: 18,
    })

    rerender(<ToolView part={tool({ state: 'output-error', errorText: 'No such city.' })} />)
    expect(screen.getByText('Failed')).toBeInTheDocument()
    expect(root().querySelector('[data-rivulet="tool-error"]')).toHaveTextContent('No such city.')
    expect(root().querySelector('[data-rivulet="tool-output"]')).toBeNull()

    rerender(<ToolView part={tool({ state: 'output-denied', errorText: 'The user denied this call.' })} />)
    expect(screen.getByText('Denied')).toBeInTheDocument()
    expect(root().querySelector('[data-rivulet="tool-error"]')).toHaveTextContent('The user denied this call.')
  })

  it('shows Approve and Deny while awaiting approval, answers with them, and keeps focus on the call', () => {
    const onRespond = vi.fn()
    const { container } = render(<ToolView part={tool({ state: 'approval-requested' })} onRespond={onRespond} />)
    expect(screen.getByText('Waiting for your approval')).toBeInTheDocument()
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }))
    expect(onRespond).toHaveBeenLastCalledWith(true)
    expect(container.firstElementChild).toHaveFocus()
    fireEvent.click(screen.getByRole('button', { name: 'Deny' }))
    expect(onRespond).toHaveBeenLastCalledWith(false)
  })

  it('previews large arguments within a bound: the end while they stream, the start once complete', () => {
    const long = `${'a'.repeat(50_000)}THE END`
    const { rerender, container } = render(<ToolView part={tool({ state: 'input-streaming', input: long })} />)
    const code = () => container.querySelector('[data-rivulet="tool-arguments"] code')!.textContent!
    expect(code()).toHaveLength(TOOL_PREVIEW_CHARS)
    expect(code().endsWith('THE END')).toBe(true)
    expect(container.querySelector('[data-rivulet="tool-truncated"]')).toHaveTextContent(
      `… ${long.length - TOOL_PREVIEW_CHARS} more characters`,
    )
    rerender(<ToolView part={tool({ state: 'input-available', input: `START${long}` })} />)
    expect(code()).toHaveLength(TOOL_PREVIEW_CHARS)
    expect(code().startsWith('START')).toBe(true)
  })

  it('forwards its ref to its root element', () => {
    const ref = createRef<HTMLDivElement>()
    render(<ToolView ref={ref} part={tool({})} />)
    expect(ref.current).toHaveAttribute('data-rivulet', 'tool-call')
  })
})

describe('SourceList', () => {
  it('links only http and https sources, safely, and shows the others as text', () => {
    render(
      <SourceList
        sources={[
          { type: 'source', url: 'https://example.com/a', title: 'Example' },
          { type: 'source', url: 'http://example.org/b' },
          { type: 'source', url: 'javascript:alert(1)', title: 'Script' },
          { type: 'source', url: ' JaVaScRiPt:alert(1)', title: 'Disguised' },
          { type: 'source', url: 'data:text/html,hi', title: 'Data' },
          { type: 'source', filename: 'report.pdf', mediaType: 'application/pdf' },
        ]}
      />,
    )
    const list = screen.getByRole('navigation', { name: 'Sources' })
    const links = within(list).getAllByRole('link')
    expect(links.map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['Example', 'https://example.com/a'],
      ['example.org', 'http://example.org/b'],
    ])
    expect(links[0]).toHaveAttribute('rel', 'noopener noreferrer')
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['Example', 'example.org', 'Script', 'Disguised', 'Data', 'report.pdf'])
  })
})

describe('FileView', () => {
  it('shows images from data:, https: and blob: URLs, and no other', () => {
    const { rerender, container } = render(
      <FileView part={{ mediaType: 'image/png', url: 'data:image/png;base64,AAAA', filename: 'dot.png' }} />,
    )
    expect(screen.getByRole('img', { name: 'dot.png' })).toHaveAttribute('src', 'data:image/png;base64,AAAA')
    rerender(<FileView part={{ mediaType: 'image/png', url: 'https://example.com/cat.png' }} />)
    expect(screen.getByRole('img', { name: 'Image' })).toHaveAttribute('src', 'https://example.com/cat.png')
    rerender(<FileView part={{ mediaType: 'image/png', url: 'javascript:alert(1)', filename: 'x.png' }} />)
    expect(container.querySelector('img')).toBeNull()
    expect(container).toHaveTextContent('x.png')
    rerender(<FileView part={{ mediaType: 'image/png', url: 'http://example.com/cat.png' }} />)
    expect(container.querySelector('img')).toBeNull()
  })

  it('links other files for download', () => {
    render(<FileView part={{ mediaType: 'application/pdf', url: 'https://example.com/r.pdf', filename: 'r.pdf' }} />)
    const link = screen.getByRole('link', { name: 'r.pdf' })
    expect(link).toHaveAttribute('href', 'https://example.com/r.pdf')
    expect(link).toHaveAttribute('download', 'r.pdf')
  })
})

describe('ReasoningView', () => {
  it('is open while it streams, then closes, with how long it took', () => {
    const part = { type: 'reasoning' as const, text: 'Thinking it over.' }
    const { rerender, container } = render(<ReasoningView part={part} streaming />)
    const details = container.querySelector('details')!
    expect(details.open).toBe(true)
    expect(details.querySelector('summary')).toHaveTextContent('Thinking…')
    rerender(<ReasoningView part={part} streaming={false} />)
    expect(details.open).toBe(false)
    expect(details.querySelector('summary')).toHaveTextContent(/^Thought for \d+ s$/)
  })

  it('read from history: closed, named without a duration', () => {
    const { container } = render(
      <ReasoningView part={{ type: 'reasoning', text: 'Old thoughts.' }} streaming={false} />,
    )
    expect(container.querySelector('details')!.open).toBe(false)
    expect(container.querySelector('summary')).toHaveTextContent('Reasoning')
  })
})

describe('StepBoundary', () => {
  it('is a separator', () => {
    render(<StepBoundary />)
    expect(screen.getByRole('separator')).toHaveAttribute('data-rivulet', 'step-start')
  })
})

describe('ChatWindow parts', () => {
  const answer = (parts: MessagePart[]): ChatMessage => ({
    id: 'a',
    role: 'assistant',
    parts,
    content: parts.map((part) => (part.type === 'text' ? part.text : '')).join(''),
    status: 'done',
  })
  const question: ChatMessage = { id: 'q', role: 'user', parts: [{ type: 'text', text: 'Hi' }], content: 'Hi' }

  function show(parts: MessagePart[], extra: Partial<Parameters<typeof ChatWindow>[0]> = {}) {
    const stream = controlledTransport()
    const view = render(
      <ChatWindow
        transport={stream.transport}
        scheduler={syncScheduler}
        stats={false}
        initialMessages={[question, answer(parts)]}
        {...extra}
      />,
    )
    return { ...stream, view, article: view.container.querySelector('article[data-role="assistant"]')! }
  }

  it('renders the parts in the order the model produced them', () => {
    const { article } = show([
      { type: 'reasoning', text: 'Let me look.' },
      { type: 'text', text: 'Checking.' },
      tool({ state: 'output-available', output: 18 }),
      { type: 'step-start' },
      { type: 'text', text: 'It is 18 degrees.' },
      { type: 'source', url: 'https://example.com' },
      { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AAAA' },
    ])
    const kinds = Array.from(article.querySelectorAll('[data-rivulet]'), (node) =>
      node.getAttribute('data-rivulet'),
    ).filter((kind) => ['reasoning', 'streaming-message', 'tool-call', 'step-start', 'sources', 'file'].includes(kind!))
    expect(kinds).toEqual([
      'reasoning',
      'streaming-message',
      'tool-call',
      'step-start',
      'streaming-message',
      'sources',
      'file',
    ])
  })

  it('renders text as markdown by default, plain with renderText={false}', () => {
    const markdown = show([{ type: 'text', text: '## Title\n\n**bold**' }])
    expect(markdown.article.querySelector('h2')).toHaveTextContent('Title')
    expect(markdown.article.querySelector('strong')).toHaveTextContent('bold')
    cleanup()
    const plain = show([{ type: 'text', text: '## Title\n\n**bold**' }], { renderText: false })
    expect(plain.article.querySelector('h2, strong')).toBeNull()
    expect(plain.article.querySelector('[data-rivulet="message-content"]')).toHaveTextContent('## Title **bold**')
  })

  it('renders a tool its own way by name, and the others with the default view', () => {
    const { article } = show(
      [
        tool({ toolCallId: 'c1', name: 'get_weather', state: 'output-available', output: { temperature: 18 } }),
        tool({ toolCallId: 'c2', name: 'search', state: 'output-available', output: ['a'] }),
      ],
      {
        renderTool: {
          get_weather: ({ part }) => (
            <p data-testid="weather">{`${(part.output as { temperature: number }).temperature} °C`}</p>
          ),
        },
      },
    )
    expect(within(article as HTMLElement).getByTestId('weather')).toHaveTextContent('18 °C')
    expect(article.querySelectorAll('[data-rivulet="tool-call"]')).toHaveLength(1)
    expect(article.querySelector('[data-rivulet="tool-call"]')).toHaveAttribute('data-tool', 'search')
  })

  it('answers an approval through the session: Deny ends the call as denied', async () => {
    const chat = show([tool({ state: 'approval-requested' })])
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Deny' })))
    expect(chat.view.container.querySelector('[data-rivulet="tool-call"]')).toHaveAttribute(
      'data-state',
      'output-denied',
    )
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull()
  })
})
