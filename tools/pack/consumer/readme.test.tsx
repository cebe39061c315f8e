// Each package README's quick start, as written there (copied into readme/ by the test that set
// up this project), run against the installed tarballs. A quick start with no check here fails.
import { readdirSync } from 'node:fs'
import { decode } from '@rivulet/core'
import { streamResponse } from '@rivulet/msw'
import { useStreamingChat } from '@rivulet/react'
import type { ComponentType } from 'react'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, test, vi } from 'vitest'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

const checks: Record<string, () => Promise<void>> = {
  'core.ts': async () => {
    const fetch = vi.fn(async () => streamResponse('openai-chat', { text: 'Hello from the quick start.' }))
    vi.stubGlobal('fetch', fetch)
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    await import('./readme/core.js')
    expect(fetch).toHaveBeenCalledWith('/v1/chat/completions', expect.objectContaining({ method: 'POST' }))
    expect(log).toHaveBeenCalledWith('done:', 'stop')
    expect(error).not.toHaveBeenCalled()
  },
  'react.tsx': async () => {
    const { Chat } = (await import('./readme/react.js')) as { Chat: ComponentType }
    const html = renderToString(<Chat />)
    expect(html).toContain('Send</button>')
    expect(html).toContain('tokens/s')
  },
  'ui.tsx': async () => {
    const { Chat, Latest } = (await import('./readme/ui.js')) as {
      Chat: ComponentType
      Latest: ComponentType<{ chat: ReturnType<typeof useStreamingChat> }>
    }
    expect(renderToString(<Chat />)).toContain('data-rivulet')
    const { demoServer } = await import('@rivulet/core')
    function WithChat() {
      return <Latest chat={useStreamingChat({ transport: demoServer() })} />
    }
    expect(renderToString(<WithChat />)).toContain('data-rivulet')
  },
  'markdown.tsx': async () => {
    const { Answer } = (await import('./readme/markdown.js')) as {
      Answer: ComponentType<{ text: string; live: boolean }>
    }
    const html = renderToString(<Answer text={'Some **bold** and `code`\n\n```js\nlet x\n```\n'} live={false} />)
    expect(html).toContain('<strong>bold</strong>')
    expect(html).toContain('let x')
  },
  'server.ts': async () => {
    vi.stubEnv('REDIS_URL', '')
    const { followed } = (await import('./readme/server.js')) as {
      followed: { events: { seq: number; data: string }[]; ended: boolean; errors: Error[] }
    }
    await vi.waitFor(() => expect(followed.ended).toBe(true))
    expect(followed.events).toEqual([{ seq: 1, data: 'data: {"choices":[…]}' }])
    expect(followed.errors).toEqual([])
  },
  'msw.ts': async () => {
    await import('./readme/msw.js')
    const response = await fetch('https://api.example.com/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    })
    let text = ''
    let reasoning = ''
    for await (const part of decode(response, { protocol: 'openai-chat' })) {
      if (part.type === 'text-delta') text += part.text
      if (part.type === 'reasoning-delta') reasoning += part.text
    }
    expect({ text, reasoning }).toEqual({ text: 'Hello! How can I help?', reasoning: 'A greeting.' })
  },
}

const quickStarts = readdirSync(new URL('./readme/', import.meta.url))
  .sort()
  .filter((file) => /^[\w-]+\.tsx?$/.test(file) && !file.includes('.test.') && file !== 'highlight.ts')

describe('README quick starts, as written', () => {
  test('every README quick start was found', () => {
    expect(quickStarts.sort()).toEqual(Object.keys(checks).sort())
  })
  for (const file of quickStarts) {
    test(file, async () => {
      const check = checks[file]
      if (!check) throw new Error(`no check written for the quick start in readme/${file}`)
      await check()
    })
  }
})
