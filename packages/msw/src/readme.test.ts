// The README's recipes, as they are written there: if one breaks, the README is wrong.
import { createChatSession, openaiCompatible } from '@rivulet/core'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest'
import { openaiChatHandler, type RecordedRequest } from './index.js'

// Setup
const server = setupServer(openaiChatHandler({ script: { text: 'The capital of France is Paris.' } }))

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  server.resetHandlers()
  vi.useRealTimers()
})
afterAll(() => server.close())

// The app's own session; any code that calls the API works the same way.
const newChat = () => createChatSession({ transport: openaiCompatible({ model: 'gpt-4o-mini', apiKey: 'sk-test' }) })

// Recipe: stream this answer
test('streams the answer', async () => {
  const chat = newChat()
  await chat.send('What is the capital of France?')
  expect(chat.getSnapshot().messages.at(-1)?.content).toBe('The capital of France is Paris.')
})

// Recipe: fail with 429, then succeed
test('retries after a 429, waiting as long as Retry-After says', async () => {
  vi.useFakeTimers()
  const requests: RecordedRequest[] = []
  server.use(
    openaiChatHandler({
      fault: { type: 'http', status: 429, headers: { 'retry-after': '2' } },
      once: true, // answers the first request only; the handler from setupServer answers the retry
      onRequest: (request) => requests.push(request),
    }),
  )
  const chat = newChat()
  const sent = chat.send('What is the capital of France?')
  await vi.advanceTimersByTimeAsync(1999)
  expect(requests).toHaveLength(1)
  expect(chat.getSnapshot().messages.at(-1)?.content).toBe('')
  await vi.advanceTimersByTimeAsync(1)
  await sent
  expect(chat.getSnapshot().messages.at(-1)?.content).toBe('The capital of France is Paris.')
})

// Recipe: drop mid-stream
test('keeps the partial answer when the connection drops', async () => {
  server.use(
    openaiChatHandler({
      script: { text: 'Partial answers stay on screen.' },
      fault: { type: 'drop', afterTokens: 3 },
    }),
  )
  const chat = newChat()
  await chat.send('Hi')
  const { status, error, messages } = chat.getSnapshot()
  expect(status).toBe('error')
  expect(error?.kind).toBe('network')
  expect(messages.at(-1)?.content).toBe('Partial answers stay')
})

// Recipe: assert the UI shows TTFT
test('measures time to first token', async () => {
  vi.useFakeTimers()
  server.use(
    openaiChatHandler({
      script: { text: 'Hello there!' },
      timing: { ttftMs: 1200, tokensPerSecond: 20 },
    }),
  )
  const chat = newChat()
  const sent = chat.send('Hi')
  await vi.advanceTimersByTimeAsync(1199)
  expect(chat.getSnapshot().progress?.ttftMs).toBeUndefined()
  await vi.advanceTimersByTimeAsync(100)
  expect(chat.getSnapshot().progress?.ttftMs).toBe(1200)
  await vi.runAllTimersAsync()
  await sent
  expect(chat.getSnapshot().messages.at(-1)?.metrics?.ttftMs).toBe(1200)
})
