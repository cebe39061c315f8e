// @vitest-environment node
import type { Transport } from '@rivulet/core'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { useStreamProgress } from './use-stream-progress.js'
import { useStreamingChat } from './use-streaming-chat.js'

const transport: Transport = () => {
  throw new Error('never called during server render')
}

function App() {
  const chat = useStreamingChat({
    transport,
    initialMessages: [
      {
        id: 'm1',
        role: 'assistant',
        parts: [{ type: 'text', text: 'Welcome back.' }],
        content: 'Welcome back.',
        status: 'done',
      },
    ],
  })
  const progress = useStreamProgress(chat)
  return (
    <main data-status={chat.status}>
      {chat.messages.map((m) => (
        <p key={m.id}>{m.content}</p>
      ))}
      <span>{progress.tokens} tokens</span>
    </main>
  )
}

describe('server rendering', () => {
  it('renders on the server with no window, with the initial messages', () => {
    expect(typeof window).toBe('undefined')
    const html = renderToString(<App />)
    expect(html).toContain('Welcome back.')
    expect(html).toContain('data-status="idle"')
    expect(html).toContain('0<!-- --> tokens')
  })

  it('imports without touching window or document', async () => {
    const module = await import('./index.js')
    expect(Object.keys(module)).toEqual(
      expect.arrayContaining(['useStreamingChat', 'useStreamProgress', 'useCompletion', 'useChatSelector']),
    )
  })
})
