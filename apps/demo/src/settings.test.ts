import { createChatSession, syncScheduler } from '@rivulet/core'
import { startServer } from '@rivulet/demo-server'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, settingsFromUrl, simulation } from './settings.js'
import { createTransports } from './transports.js'

describe('the demo settings', () => {
  it('ask for the web search and the image only when they are on', () => {
    expect(simulation(DEFAULT_SETTINGS)).not.toHaveProperty('webSearch')
    expect(simulation(DEFAULT_SETTINGS)).not.toHaveProperty('image')
    const settings = settingsFromUrl('?search=1&image=1')
    expect(simulation(settings)).toMatchObject({ webSearch: true, image: true })
  })

  it('bring back cited sources and a drawn image from the demo server', async () => {
    const server = await startServer({ port: 0, logger: false })
    try {
      const settings = { ...DEFAULT_SETTINGS, webSearch: true, image: true, ttftMs: 0, tokensPerSecond: 0, tokens: 40 }
      const chat = createChatSession({
        transport: createTransports(server.url, () => settings).openai,
        scheduler: syncScheduler,
      })
      await chat.send('How do tides work?')
      const parts = chat.getSnapshot().messages.at(-1)?.parts ?? []
      expect(parts.filter((part) => part.type === 'source')).toHaveLength(3)
      expect(parts.find((part) => part.type === 'file')).toMatchObject({ mediaType: 'image/png' })
    } finally {
      await server.close()
    }
  })
})
