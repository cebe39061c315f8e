import { type ChatSession, createChatSession, syncScheduler, type ToolPart } from '@rivulet/core'
import { type RunningServer, startServer } from '@rivulet/demo-server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS, type TransportKind } from './settings.js'
import { calculate, createDemoTools, weatherFor } from './tools.js'
import { createTransports } from './transports.js'

describe('the demo tools', () => {
  it('report the same weather for a city every time, in the unit asked', () => {
    const oslo = weatherFor({ city: 'Oslo' })
    expect(weatherFor({ city: 'Oslo' })).toEqual(oslo)
    expect(oslo.unit).toBe('celsius')
    expect(weatherFor({ city: 'Oslo', unit: 'fahrenheit' }).temperature).toBe(Math.round(oslo.temperature * 1.8 + 32))
  })

  it('calculate, and refuse to divide by zero', () => {
    expect(calculate({ operation: 'multiply', a: 6, b: 7 })).toEqual({ result: 42 })
    expect(calculate({ operation: 'divide', a: 1, b: 4 })).toEqual({ result: 0.25 })
    expect(() => calculate({ operation: 'divide', a: 1, b: 0 })).toThrow('Cannot divide by zero')
  })
})

describe('the demo tools in a session against the demo server', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      logger: false,
      simulation: { ttftMs: 0, tokensPerSecond: 0, jitter: 0, burstiness: 0 },
    })
  })
  afterAll(() => server.close())

  // The Node test has no WebSocket constructor; the browser demo uses the WebSocket transport too.
  const kinds: TransportKind[] = ['openai', 'anthropic']

  const session = (kind: TransportKind): ChatSession => {
    const transports = createTransports(server.url, () => ({
      ...DEFAULT_SETTINGS,
      tokens: 40,
      ttftMs: 0,
      tokensPerSecond: 0,
    }))
    return createChatSession({
      transport: transports[kind],
      tools: createDemoTools({ weatherDelayMs: 0 }),
      scheduler: syncScheduler,
    })
  }
  const answerOf = (chat: ChatSession) => chat.getSnapshot().messages.at(-1)
  const toolsOf = (chat: ChatSession) =>
    answerOf(chat)?.parts.filter((part): part is ToolPart => part.type === 'tool') ?? []

  for (const kind of kinds) {
    it(`${kind}: the weather asks first, runs once allowed, and the answer quotes it`, async () => {
      const chat = session(kind)
      await chat.send('What is the weather in Oslo?')
      const [call] = toolsOf(chat)
      expect(call).toMatchObject({ name: 'get_weather', state: 'approval-requested', input: { city: 'Oslo' } })
      chat.respondToApproval({ toolCallId: call?.toolCallId as string, approved: true })
      await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('done'), { timeout: 5000, interval: 5 })
      const weather = weatherFor(call?.input as { city: string; unit?: 'celsius' | 'fahrenheit' })
      expect(toolsOf(chat)[0]).toMatchObject({ state: 'output-available', output: weather })
      expect(answerOf(chat)?.content).toContain(
        `Here is the weather in Oslo: city Oslo, temperature ${weather.temperature}, unit ${weather.unit}, conditions ${weather.conditions}.`,
      )
    })

    it(`${kind}: a denied weather call is told to the model, which says so`, async () => {
      const chat = session(kind)
      await chat.send('What is the weather in Lisbon?')
      const [call] = toolsOf(chat)
      chat.respondToApproval({ toolCallId: call?.toolCallId as string, approved: false, reason: 'The user said no.' })
      await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('done'), { timeout: 5000, interval: 5 })
      expect(toolsOf(chat)[0]?.state).toBe('output-denied')
      expect(answerOf(chat)?.content).toContain('I could not get the weather in Lisbon')
    })

    it(`${kind}: the calculator runs without asking, and a division by zero comes back as the tool's error`, async () => {
      const chat = session(kind)
      await chat.send('Please multiply 6 by 7')
      expect(toolsOf(chat)[0]).toMatchObject({ name: 'calculate', state: 'output-available', output: { result: 42 } })
      expect(answerOf(chat)?.content).toContain('`calculate` (operation multiply, a 6, b 7) returned result 42.')

      await chat.send('Now divide 5 by 0')
      expect(toolsOf(chat)[0]).toMatchObject({ state: 'output-error', errorText: 'Cannot divide by zero' })
      expect(answerOf(chat)?.content).toContain(
        '`calculate` (operation divide, a 5, b 0) failed: Cannot divide by zero.',
      )
    })
  }
})
