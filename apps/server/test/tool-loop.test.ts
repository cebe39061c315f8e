import {
  anthropic,
  type ChatSession,
  createChatSession,
  demoServer,
  syncScheduler,
  type ToolDefinition,
  type ToolPart,
  type Transport,
  websocketTransport,
} from '@rivulet/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { closeTestServers, startTestServer, type TestServer } from './helpers.js'

afterEach(closeTestServers)

/** A 1×1 PNG, as a user would attach one. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

const tools: Record<string, ToolDefinition> = {
  get_weather: {
    description: 'The current weather for a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    needsApproval: true,
    execute: (input) => ({ city: (input as { city: string }).city, temperature: 21, conditions: 'clear' }),
  },
  calculate: {
    description: 'Add, subtract, multiply or divide two numbers',
    inputSchema: {
      type: 'object',
      properties: {
        operation: { type: 'string', enum: ['add', 'multiply'] },
        a: { type: 'number' },
        b: { type: 'number' },
      },
      required: ['operation', 'a', 'b'],
    },
    execute: (input) => {
      const { operation, a, b } = input as { operation: string; a: number; b: number }
      return { result: operation === 'add' ? a + b : a * b }
    },
  },
}

const simulation = { tokens: 30, reasoning: true }
const closers: (() => void)[] = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

const transports: Record<string, (server: TestServer) => Transport> = {
  'Chat Completions (demoServer)': (server) => demoServer({ baseURL: `${server.url}/v1`, simulate: simulation }),
  'Messages with thinking (anthropic)': (server) =>
    anthropic({
      baseURL: `${server.url}/v1`,
      model: 'rivulet-sim',
      apiKey: 'unused',
      maxTokens: 4096,
      // With thinking on, the server refuses a tool round whose thinking block is not sent back first.
      extraBody: { thinking: { type: 'enabled', budget_tokens: 1024 }, rivulet: simulation },
    }),
  WebSocket: (server) => {
    const transport = websocketTransport({ url: server.wsUrl, WebSocket, extraBody: { rivulet: simulation } })
    closers.push(() => transport.close())
    return transport
  },
}

const answerOf = (chat: ChatSession) => chat.getSnapshot().messages.at(-1)
const toolsOf = (chat: ChatSession) =>
  answerOf(chat)?.parts.filter((part): part is ToolPart => part.type === 'tool') ?? []
const done = (chat: ChatSession) =>
  vi.waitFor(() => expect(chat.getSnapshot().status).toBe('done'), { timeout: 5000, interval: 5 })

describe('the tool loop of a ChatSession against the server', () => {
  for (const [name, make] of Object.entries(transports)) {
    it(`${name}: approval, a tool run by the session, an answer from its result, then another round and an image`, async () => {
      const server = await startTestServer()
      const chat = createChatSession({ transport: make(server), tools, scheduler: syncScheduler })

      await chat.send('What is the weather in Paris?')
      const [call] = toolsOf(chat)
      expect(call).toMatchObject({ name: 'get_weather', state: 'approval-requested', input: { city: 'Paris' } })
      chat.respondToApproval({ toolCallId: call?.toolCallId as string, approved: true })
      await done(chat)
      const answer = answerOf(chat)
      // Reasoning (and at times a sentence) before the call; the answer in the step after it.
      const types = answer?.parts.map((part) => part.type) ?? []
      expect(types[0]).toBe('reasoning')
      expect(types.slice(types.indexOf('tool'))).toEqual(['tool', 'step-start', 'reasoning', 'text'])
      expect(answer?.content).toContain('Here is the weather in Paris: city Paris, temperature 21, conditions clear.')

      // The whole history goes back in the next request, the first round included.
      await chat.send('Now add 19 and 23, please')
      await done(chat)
      expect(toolsOf(chat)[0]).toMatchObject({ name: 'calculate', state: 'output-available', output: { result: 42 } })
      expect(answerOf(chat)?.content).toContain('`calculate` (operation add, a 19, b 23) returned result 42.')

      await chat.send({ text: 'What is in this picture?', files: [{ url: PIXEL, mediaType: 'image/png' }] })
      expect(chat.getSnapshot().status).toBe('done')
      expect(answerOf(chat)?.content).toMatch(/^I looked at the image you attached \(image\/png\)\./)
      expect(server.ends.every((end) => end.outcome === 'finished')).toBe(true)
    })
  }
})
