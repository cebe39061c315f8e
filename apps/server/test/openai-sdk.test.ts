import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { closeTestServers, startTestServer, type TestServer } from './helpers.js'

afterEach(closeTestServers)

const client = (server: TestServer) => new OpenAI({ apiKey: 'unused', baseURL: `${server.url}/v1`, maxRetries: 0 })
const sim = (options: Record<string, unknown>) => ({ headers: { 'x-rivulet-sim': JSON.stringify(options) } })

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        detailed: { type: 'boolean' },
      },
      required: ['city', 'unit', 'days'],
      additionalProperties: false,
    },
  },
}

describe('the official openai SDK against the server', () => {
  it('streams text whose usage agrees with the tokens streamed', async () => {
    const server = await startTestServer()
    const stream = await client(server).chat.completions.create(
      {
        model: 'rivulet-sim',
        messages: [{ role: 'user', content: 'How do I stream tokens in React?' }],
        stream: true,
        stream_options: { include_usage: true },
      },
      sim({ tokens: 40, seed: 7 }),
    )
    let text = ''
    let deltas = 0
    let usage: OpenAI.CompletionUsage | null | undefined
    let finish: string | null | undefined
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (choice?.delta.content) {
        text += choice.delta.content
        deltas++
      }
      if (choice?.finish_reason) finish = choice.finish_reason
      if (chunk.usage) usage = chunk.usage
    }
    expect(text.length).toBeGreaterThan(40)
    expect(deltas).toBe(40)
    expect(finish).toBe('stop')
    expect(usage?.completion_tokens).toBe(40)
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + 40)
    expect(usage?.prompt_tokens).toBeGreaterThan(0)
  })

  it('gives the same answer to the same prompt, and another to another seed', async () => {
    const server = await startTestServer()
    const ask = async (seed?: number) => {
      const completion = await client(server).chat.completions.create(
        { model: 'rivulet-sim', messages: [{ role: 'user', content: 'Explain SSE reconnection' }] },
        seed === undefined ? {} : sim({ seed }),
      )
      return completion.choices[0]?.message.content
    }
    const first = await ask()
    expect(first).toBeTruthy()
    expect(await ask()).toBe(first)
    expect(await ask(12345)).not.toBe(first)
  })

  it('streams tool calls whose arguments are JSON that fits the tool schema', async () => {
    const server = await startTestServer()
    const stream = client(server).chat.completions.stream({
      model: 'rivulet-sim',
      messages: [{ role: 'user', content: 'What is the weather in Lisbon this week?' }],
      tools: [weatherTool],
      tool_choice: 'required',
      stream: true,
    })
    let argumentDeltas = 0
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments) argumentDeltas++
    }
    const completion = await stream.finalChatCompletion()
    const choice = completion.choices[0]
    expect(choice?.finish_reason).toBe('tool_calls')
    const call = choice?.message.tool_calls?.[0]
    expect(call?.type).toBe('function')
    if (call?.type !== 'function') return
    expect(call.id).toMatch(/^call_/)
    expect(call.function.name).toBe('get_weather')
    expect(argumentDeltas).toBeGreaterThan(1)
    const args = JSON.parse(call.function.arguments)
    const schema = weatherTool.function.parameters as Parameters<typeof z.fromJSONSchema>[0]
    expect(() => z.fromJSONSchema(schema).parse(args)).not.toThrow()
  })

  it('answers the tool result with text', async () => {
    const server = await startTestServer()
    const completion = await client(server).chat.completions.create({
      model: 'rivulet-sim',
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":4,"sky":"snow"}' },
      ],
      tools: [weatherTool],
    })
    expect(completion.choices[0]?.finish_reason).toBe('stop')
    expect(completion.choices[0]?.message.content).toContain('temperature')
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined()
  })

  it('streams reasoning before the answer and counts it in usage', async () => {
    const server = await startTestServer()
    const stream = await client(server).chat.completions.create(
      {
        model: 'rivulet-sim',
        messages: [{ role: 'user', content: 'Why is the sky blue?' }],
        stream: true,
        stream_options: { include_usage: true },
        reasoning_effort: 'high',
      },
      sim({ tokens: 10 }),
    )
    const order: string[] = []
    let reasoningDeltas = 0
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined
      if (delta?.reasoning_content) {
        reasoningDeltas++
        if (order.at(-1) !== 'reasoning') order.push('reasoning')
      }
      if (delta?.content && order.at(-1) !== 'text') order.push('text')
      if (chunk.usage) usage = chunk.usage
    }
    expect(order).toEqual(['reasoning', 'text'])
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBe(reasoningDeltas)
    expect(usage?.completion_tokens).toBe(reasoningDeltas + 10)
  })

  it('stops at max_completion_tokens with finish_reason length', async () => {
    const server = await startTestServer()
    const completion = await client(server).chat.completions.create(
      { model: 'rivulet-sim', messages: [{ role: 'user', content: 'Write a long essay' }], max_completion_tokens: 12 },
      sim({ tokens: 100 }),
    )
    expect(completion.choices[0]?.finish_reason).toBe('length')
    expect(completion.usage?.completion_tokens).toBe(12)
  })

  it('reports errors as APIError with the status, message, param and Retry-After', async () => {
    const server = await startTestServer()
    const openai = client(server)
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => {
          throw new Error('expected an error')
        },
        (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
      )

    const unknown = await failure(
      openai.chat.completions.create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError)
    expect(unknown.code).toBe('model_not_found')
    expect(unknown.param).toBe('model')

    const invalid = await failure(
      openai.chat.completions.create({ model: 'rivulet-sim', messages: [{ role: 'robot', content: 'hi' }] } as never),
    )
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError)
    expect(invalid.message).toContain('messages[0].role')

    const limited = await failure(
      openai.chat.completions.create(
        { model: 'rivulet-sim', messages: [{ role: 'user', content: 'hi' }], stream: true },
        sim({ fault: { type: 'http', status: 429, retryAfterS: 3 } }),
      ),
    )
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.headers?.get('retry-after')).toBe('3')

    const down = await failure(
      openai.chat.completions.create(
        { model: 'rivulet-sim', messages: [{ role: 'user', content: 'hi' }] },
        sim({ fault: { type: 'http', status: 503 } }),
      ),
    )
    expect(down.status).toBe(503)
  })

  it('throws the provider error event sent mid-stream, after the text before it', async () => {
    const server = await startTestServer()
    const stream = await client(server).chat.completions.create(
      { model: 'rivulet-sim', messages: [{ role: 'user', content: 'hi' }], stream: true },
      sim({ tokens: 30, fault: { type: 'provider-error', afterTokens: 5 } }),
    )
    let deltas = 0
    const error = await (async () => {
      try {
        for await (const chunk of stream) if (chunk.choices[0]?.delta.content) deltas++
      } catch (caught) {
        return caught as Error
      }
    })()
    expect(deltas).toBe(5)
    expect(error?.message).toContain('provider-error fault')
  })

  // The strict 50 ms bound is checked with raw sockets (http.test.ts): the SDK itself closes its
  // socket some milliseconds after abort(), which is the client's time, not the server's.
  it('an abort stops generation at once', async () => {
    const server = await startTestServer()
    const stream = await client(server).chat.completions.create(
      { model: 'rivulet-sim', messages: [{ role: 'user', content: 'Tell me a long story' }], stream: true },
      sim({ tokens: 2000, tokensPerSecond: 400 }),
    )
    let seen = 0
    let abortedAt = 0
    let tokensAtAbort = 0
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content && ++seen === 5) {
          tokensAtAbort = server.stats().tokensGenerated
          abortedAt = performance.now()
          stream.controller.abort()
        }
      }
    } catch {
      // the SDK reports the abort
    }
    const end = await server.nextEnd()
    expect(end.outcome).toBe('client-gone')
    expect(end.endedAt - abortedAt).toBeLessThan(250)
    expect(end.tokens - tokensAtAbort).toBeLessThanOrEqual(100)
    expect(end.tokens).toBeLessThan(200)
  })

  it('lists the simulated model', async () => {
    const server = await startTestServer()
    const models = await client(server).models.list()
    expect(models.data.map((model) => model.id)).toContain('rivulet-sim')
    expect((await client(server).models.retrieve('rivulet-sim')).owned_by).toBe('rivulet')
  })
})
