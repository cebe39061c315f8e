import {
  anthropic,
  createChatSession,
  decode,
  demoServer,
  isStreamError,
  type StreamError,
  type StreamPart,
  syncScheduler,
} from '@rivulet/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  chatBody,
  closeTestServers,
  postJson,
  startTestServer,
  type TestServer,
  user,
  userMessages,
} from './helpers.js'

afterEach(closeTestServers)

async function collect(parts: AsyncIterable<StreamPart>) {
  const values: StreamPart[] = []
  try {
    for await (const part of parts) values.push(part)
  } catch (error) {
    return { values, error: error as StreamError }
  }
  return { values, error: undefined }
}

const textOf = (parts: StreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')
const reasoningOf = (parts: StreamPart[]) =>
  parts.map((part) => (part.type === 'reasoning-delta' ? part.text : '')).join('')

const chat = (server: TestServer, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true, ...body }), headers)

const messages = (server: TestServer, body: Record<string, unknown>) =>
  postJson(`${server.url}/v1/messages`, {
    model: 'rivulet-sim',
    max_tokens: 2048,
    stream: true,
    messages: user('Compare SSE and WebSockets'),
    ...body,
  })

const tools = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      parameters: { type: 'object', properties: { term: { type: 'string' } }, required: ['term'] },
    },
  },
]

describe('@rivulet/core decode against the server', () => {
  it('reads /v1/chat/completions: start, reasoning, text, usage, finish', async () => {
    const server = await startTestServer()
    const response = await chat(server, {
      stream_options: { include_usage: true },
      rivulet: { reasoning: true, tokens: 25 },
    })
    const { values, error } = await collect(decode(response, { protocol: 'openai-chat' }))
    expect(error).toBeUndefined()
    expect(values[0]).toMatchObject({ type: 'start', model: 'rivulet-sim' })
    expect(reasoningOf(values).length).toBeGreaterThan(0)
    const usage = values.findLast((part) => part.type === 'usage')
    const deltas = values.filter((part) => part.type === 'text-delta' || part.type === 'reasoning-delta').length
    expect(usage).toMatchObject({ outputTokens: deltas })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'stop' })
  })

  it('reads tool calls from /v1/chat/completions and /v1/messages alike', async () => {
    const server = await startTestServer()
    const fromOpenAI = await collect(
      decode(await chat(server, { tools, tool_choice: 'required' }), { protocol: 'openai-chat' }),
    )
    const anthropicTools = [{ name: 'lookup', input_schema: tools[0]?.function.parameters }]
    const fromAnthropic = await collect(
      decode(await messages(server, { tools: anthropicTools, tool_choice: { type: 'any' } }), {
        protocol: 'anthropic',
      }),
    )
    for (const { values, error } of [fromOpenAI, fromAnthropic]) {
      expect(error).toBeUndefined()
      const call = values.find((part) => part.type === 'tool-call')
      expect(call).toMatchObject({ type: 'tool-call', name: 'lookup', args: { term: expect.any(String) } })
      expect(values.at(-1)).toMatchObject({ type: 'finish', reason: 'tool-calls' })
    }
  })

  it('reads /v1/messages with thinking, usage and the stop reason', async () => {
    const server = await startTestServer()
    const response = await messages(server, {
      thinking: { type: 'enabled', budget_tokens: 1024 },
      rivulet: { tokens: 20 },
    })
    const { values, error } = await collect(decode(response, { protocol: 'anthropic' }))
    expect(error).toBeUndefined()
    expect(reasoningOf(values).length).toBeGreaterThan(0)
    const reasoningDeltas = values.filter((part) => part.type === 'reasoning-delta').length
    expect(values.findLast((part) => part.type === 'usage')).toMatchObject({ outputTokens: reasoningDeltas + 20 })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' })
  })

  it('throws kind http with the status and retry delay of an http fault', async () => {
    const server = await startTestServer()
    const response = await chat(server, { rivulet: { fault: { type: 'http', status: 429, retryAfterS: 2 } } })
    const { error } = await collect(decode(response, { protocol: 'openai-chat' }))
    expect(error).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 2000, code: 'rate_limit_exceeded' })
  })

  it('throws kind provider for the error event, after the text before it', async () => {
    const server = await startTestServer()
    for (const [response, protocol] of [
      [
        await chat(server, { rivulet: { tokens: 20, fault: { type: 'provider-error', afterTokens: 6 } } }),
        'openai-chat',
      ],
      [
        await messages(server, { rivulet: { tokens: 20, fault: { type: 'provider-error', afterTokens: 6 } } }),
        'anthropic',
      ],
    ] as const) {
      const { values, error } = await collect(decode(response, { protocol }))
      expect(values.filter((part) => part.type === 'text-delta')).toHaveLength(6)
      expect(error?.kind).toBe('provider')
      expect(error?.message).toContain('provider-error fault')
    }
  })

  it('throws kind parse for the malformed event, and reads past it when lenient', async () => {
    const server = await startTestServer()
    const sim = { seed: 11, tokens: 20, fault: { type: 'malformed', afterTokens: 8 } }
    const strict = await collect(decode(await chat(server, { rivulet: sim }), { protocol: 'openai-chat' }))
    expect(strict.error?.kind).toBe('parse')
    expect(strict.values.filter((part) => part.type === 'text-delta')).toHaveLength(8)

    const skipped: StreamError[] = []
    const lenient = await collect(
      decode(await messages(server, { rivulet: sim }), {
        protocol: 'anthropic',
        lenient: true,
        onMalformed: (error) => skipped.push(error),
      }),
    )
    expect(lenient.error).toBeUndefined()
    expect(skipped).toHaveLength(1)
    expect(lenient.values.filter((part) => part.type === 'text-delta')).toHaveLength(20)
  })

  it('throws network or interrupted for a drop of a stream that is not resumable', async () => {
    const server = await startTestServer()
    const response = await chat(server, {
      rivulet: { tokens: 40, tokensPerSecond: 1000, fault: { type: 'drop', afterTokens: 9 } },
    })
    const { values, error } = await collect(decode(response, { protocol: 'openai-chat' }))
    expect(values.filter((part) => part.type === 'text-delta')).toHaveLength(9)
    expect(['network', 'interrupted']).toContain(error?.kind)
  })
})

describe('@rivulet/core transports against the server', () => {
  it('demoServer resumes a dropped stream: the same answer as without the drop, each token once', async () => {
    const server = await startTestServer()
    const prompt = userMessages('Why do streams need backpressure?')
    const run = (simulate: Record<string, unknown>) =>
      collect(
        demoServer({ baseURL: `${server.url}/v1`, simulate })({
          messages: prompt,
          signal: new AbortController().signal,
        }),
      )
    const reference = await run({ tokens: 80 })
    const resumed = await run({ tokens: 80, fault: { type: 'drop', afterTokens: 30 } })
    expect(resumed.error).toBeUndefined()
    expect(textOf(resumed.values)).toBe(textOf(reference.values))
    expect(resumed.values.filter((part) => part.type === 'text-delta')).toHaveLength(80)
    expect(resumed.values.filter((part) => part.type === 'start')).toHaveLength(1)
  })

  it('demoServer abort cancels the resumable stream on the server', async () => {
    const server = await startTestServer()
    const controller = new AbortController()
    const transport = demoServer({ baseURL: `${server.url}/v1`, simulate: { tokens: 5000, tokensPerSecond: 300 } })
    const result = collect(
      (async function* () {
        for await (const part of transport({ messages: userMessages('hello'), signal: controller.signal })) {
          yield part
          if (part.type === 'text-delta') controller.abort()
        }
      })(),
    )
    const { error } = await result
    expect(isStreamError(error) && error.kind).toBe('aborted')
    const end = await server.nextEnd()
    expect(end.outcome).toBe('cancelled')
    expect(end.tokens).toBeLessThan(100)
  })

  it('the anthropic preset reads /v1/messages', async () => {
    const server = await startTestServer()
    const transport = anthropic({ baseURL: `${server.url}/v1`, model: 'rivulet-sim', maxTokens: 64 })
    const { values, error } = await collect(
      transport({ messages: userMessages('hello'), signal: new AbortController().signal }),
    )
    expect(error).toBeUndefined()
    expect(textOf(values).length).toBeGreaterThan(0)
  })

  it('a ChatSession over demoServer gets the whole answer with usage', async () => {
    const server = await startTestServer()
    const session = createChatSession({
      transport: demoServer({ baseURL: `${server.url}/v1`, simulate: { tokens: 33 } }),
      scheduler: syncScheduler,
    })
    await session.send('Summarize resumable streams')
    const snapshot = session.getSnapshot()
    expect(snapshot.status).toBe('done')
    const answer = snapshot.messages.at(-1)
    expect(answer?.role).toBe('assistant')
    expect(answer?.content.length).toBeGreaterThan(20)
    expect(answer?.usage?.outputTokens).toBe(33)
  })
})
