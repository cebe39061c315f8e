// @vitest-environment node
import type { ChatMessage, Transport } from '@rivulet/core'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ChatWindow } from './chat-window.js'
import { StreamProgressBar } from './stream-progress-bar.js'
import { StreamStats } from './stream-stats.js'
import { StreamingMessage } from './streaming-message.js'

const transport: Transport = () => {
  throw new Error('never called during server render')
}

const history: ChatMessage[] = [
  { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Hi <b>there</b>' }], content: 'Hi <b>there</b>' },
  {
    id: 'a1',
    role: 'assistant',
    parts: [
      { type: 'reasoning', text: 'Greet back.' },
      { type: 'text', text: 'Hello! <script>x()</script>' },
    ],
    content: 'Hello! <script>x()</script>',
    status: 'done',
    reasoning: 'Greet back.',
  },
]

describe('server rendering', () => {
  it('imports without touching window or document', async () => {
    expect(typeof window).toBe('undefined')
    const module = await import('./index.js')
    expect(Object.keys(module)).toEqual(
      expect.arrayContaining(['StreamingMessage', 'StreamProgressBar', 'StreamStats', 'ChatWindow', 'RevealClock']),
    )
  })

  it('renders a live message whole, escaped, with its state', () => {
    const html = renderToString(<StreamingMessage text="Half <b>done" streaming />)
    expect(html).toContain('data-status="streaming"')
    expect(html).toContain('aria-busy="true"')
    expect(html).toContain('Half &lt;b&gt;done')
    expect(html).toContain('data-rivulet="caret"')
  })

  it('renders a chat with its history, progress and stats', () => {
    const html = renderToString(<ChatWindow transport={transport} initialMessages={history} />)
    expect(html).toContain('data-status="idle"')
    expect(html).toContain('Hi &lt;b&gt;there&lt;/b&gt;')
    expect(html).toContain('Hello! &lt;script&gt;')
    expect(html).toContain('<details data-rivulet="reasoning"')
    const progress = { tokens: 3, elapsedMs: 900, tokensPerSecond: 4, estimatedTokens: 10, percent: 30 }
    expect(renderToString(<StreamProgressBar source={{ status: 'streaming', progress }} />)).toContain(
      'aria-valuenow="30"',
    )
    expect(renderToString(<StreamStats source={progress} />)).toContain('data-rivulet="stream-stats"')
  })
})
