// @vitest-environment jsdom
import type { Transport } from '@rivulet/core'
import { act } from '@testing-library/react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { useStreamingChat } from './use-streaming-chat.js'

const transport: Transport = async function* () {}

function App() {
  const chat = useStreamingChat({
    transport,
    initialMessages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Hi there' }], content: 'Hi there' }],
  })
  return (
    <main data-status={chat.status}>
      {chat.messages.map((m) => (
        <p key={m.id}>{m.content}</p>
      ))}
    </main>
  )
}

describe('hydration', () => {
  it('hydrates server HTML without a mismatch', async () => {
    const container = document.createElement('div')
    container.innerHTML = renderToString(<App />)
    const errors = vi.spyOn(console, 'error')
    const recoverable = vi.fn()
    await act(async () => {
      hydrateRoot(container, <App />, { onRecoverableError: recoverable })
    })
    expect(recoverable).not.toHaveBeenCalled()
    expect(errors).not.toHaveBeenCalled()
    expect(container.textContent).toBe('Hi there')
  })
})
