import { useStreamingChat } from '@rivulet/react'
import { ChatWindow } from '@rivulet/ui'
import { useMemo, useRef, useState } from 'react'
import { Controls } from './Controls.js'
import { type Settings, serverUrl, settingsFromUrl } from './settings.js'
import { demoTools } from './tools.js'
import { createTransports } from './transports.js'

export function App() {
  const [settings, setSettings] = useState<Settings>(() => settingsFromUrl(window.location.search))
  const current = useRef(settings)
  current.current = settings
  const server = useMemo(() => serverUrl(window.location), [])
  const transports = useMemo(() => createTransports(server, () => current.current), [server])
  // One session for the page: switching transport or buffer applies to the next message.
  const chat = useStreamingChat({
    transport: transports[settings.transport],
    buffer: settings.buffer,
    firstTokenTimeoutMs: 15_000,
    stallTimeoutMs: 8_000,
    retry: { attempts: 3, baseDelayMs: 400 },
    tools: demoTools,
  })

  return (
    <div className="demo">
      <header className="demo-header">
        <h1>Rivulet</h1>
        <p>
          Streaming LLM output into React: a simulated model on <code>{server}</code>, no key needed. It has two tools:
          ask about the weather in a city (it asks you first), or to add, subtract, multiply or divide two numbers.
        </p>
      </header>
      <main className="demo-main">
        <Controls settings={settings} onChange={setSettings} disabled={chat.isStreaming} />
        <section className="demo-chat" aria-label="Chat">
          <ChatWindow chat={chat} />
        </section>
      </main>
    </div>
  )
}
