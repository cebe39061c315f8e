import Anthropic from '@anthropic-ai/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { closeTestServers, startTestServer, type TestServer } from './helpers.js'

afterEach(closeTestServers)

const client = (server: TestServer) => new Anthropic({ apiKey: 'unused', baseURL: server.url, maxRetries: 0 })
const sim = (options: Record<string, unknown>) => ({ headers: { 'x-rivulet-sim': JSON.stringify(options) } })

const searchTool = {
  name: 'search_docs',
  description: 'Search the documentation',
  input_schema: {
    type: 'object' as const,
    properties: {
      query: { type: 'string', minLength: 3 },
      limit: { type: 'integer', minimum: 1, maximum: 20 },
      filters: {
        type: 'object',
        properties: {
          section: { type: 'string', enum: ['guides', 'api', 'blog'] },
          since: { type: 'string', format: 'date' },
        },
        required: ['section'],
      },
      tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
    },
    required: ['query', 'filters', 'tags'],
  },
}

describe('the official @anthropic-ai/sdk against the server', () => {
  it('streams text, and the final message carries usage that agrees with it', async () => {
    const server = await startTestServer()
    const stream = client(server).messages.stream(
      { model: 'rivulet-sim', max_tokens: 512, messages: [{ role: 'user', content: 'What is a token bucket?' }] },
      sim({ tokens: 30 }),
    )
    let text = ''
    let deltas = 0
    stream.on('text', (delta) => {
      text += delta
      deltas++
    })
    const message = await stream.finalMessage()
    expect(deltas).toBe(30)
    expect(message.content).toEqual([{ type: 'text', text }])
    expect(message.stop_reason).toBe('end_turn')
    expect(message.usage.output_tokens).toBe(30)
    expect(message.usage.input_tokens).toBeGreaterThan(0)
  })

  it('streams thinking before the text when thinking is enabled', async () => {
    const server = await startTestServer()
    const stream = client(server).messages.stream(
      {
        model: 'rivulet-sim',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'Plan a migration to streaming responses' }],
      },
      sim({ tokens: 12 }),
    )
    let thinking = ''
    stream.on('thinking', (delta) => {
      thinking += delta
    })
    const message = await stream.finalMessage()
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text'])
    const [first] = message.content
    expect(first?.type === 'thinking' && first.thinking).toBe(thinking)
    expect(first?.type === 'thinking' && first.signature).toBeTruthy()
    expect(thinking.length).toBeGreaterThan(20)
  })

  it('streams a tool call whose input fits the input schema', async () => {
    const server = await startTestServer()
    const stream = client(server).messages.stream({
      model: 'rivulet-sim',
      max_tokens: 1024,
      tools: [searchTool],
      tool_choice: { type: 'tool', name: 'search_docs' },
      messages: [{ role: 'user', content: 'Find the guide about resumable streams' }],
    })
    let jsonDeltas = 0
    stream.on('inputJson', () => {
      jsonDeltas++
    })
    const message = await stream.finalMessage()
    expect(message.stop_reason).toBe('tool_use')
    const call = message.content.find((block) => block.type === 'tool_use')
    expect(call?.type === 'tool_use' && call.name).toBe('search_docs')
    expect(call?.type === 'tool_use' && call.id).toMatch(/^toolu_/)
    expect(jsonDeltas).toBeGreaterThan(1)
    const input = call?.type === 'tool_use' ? call.input : undefined
    const schema = searchTool.input_schema as Parameters<typeof z.fromJSONSchema>[0]
    expect(() => z.fromJSONSchema(schema).parse(input)).not.toThrow()
  })

  it('answers without streaming, and stops at max_tokens', async () => {
    const server = await startTestServer()
    const message = await client(server).messages.create(
      { model: 'rivulet-sim', max_tokens: 15, messages: [{ role: 'user', content: 'Write a long essay' }] },
      sim({ tokens: 100 }),
    )
    expect(message.type).toBe('message')
    expect(message.stop_reason).toBe('max_tokens')
    expect(message.usage.output_tokens).toBe(15)
    expect(message.content[0]?.type).toBe('text')
  })

  it('reports errors as APIError with the status and Anthropic error type', async () => {
    const server = await startTestServer()
    const anthropic = client(server)
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => {
          throw new Error('expected an error')
        },
        (error: unknown) => error as InstanceType<typeof Anthropic.APIError>,
      )
    const unknown = await failure(
      anthropic.messages.create({ model: 'claude-nope', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError)
    expect(unknown.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })

    const invalid = await failure(
      anthropic.messages.create({ model: 'rivulet-sim', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError)
    expect(invalid.message).toContain('max_tokens')

    const overloaded = await failure(
      anthropic.messages.create(
        { model: 'rivulet-sim', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true },
        sim({ fault: { type: 'http', status: 529, retryAfterS: 4 } }),
      ),
    )
    expect(overloaded.status).toBe(529)
    expect(overloaded.error).toMatchObject({ error: { type: 'overloaded_error' } })
    expect(overloaded.headers?.get('retry-after')).toBe('4')
  })

  it('throws the error event sent mid-stream', async () => {
    const server = await startTestServer()
    const stream = client(server).messages.stream(
      { model: 'rivulet-sim', max_tokens: 512, messages: [{ role: 'user', content: 'hi' }] },
      sim({ tokens: 30, fault: { type: 'provider-error', afterTokens: 4 } }),
    )
    let text = ''
    stream.on('text', (delta) => {
      text += delta
    })
    const error = await stream.finalMessage().then(
      () => undefined,
      (caught: Error) => caught,
    )
    expect(error?.message).toContain('overloaded_error')
    expect(text.length).toBeGreaterThan(0)
  })

  it('an abort stops generation at once', async () => {
    const server = await startTestServer()
    const stream = client(server).messages.stream(
      { model: 'rivulet-sim', max_tokens: 8000, messages: [{ role: 'user', content: 'Tell me a long story' }] },
      sim({ tokens: 4000, tokensPerSecond: 400 }),
    )
    let deltas = 0
    let abortedAt = 0
    stream.on('text', () => {
      if (++deltas === 5) {
        abortedAt = performance.now()
        stream.abort()
      }
    })
    await stream.done().catch(() => undefined)
    const end = await server.nextEnd()
    expect(end.outcome).toBe('client-gone')
    expect(end.endedAt - abortedAt).toBeLessThan(250)
    expect(end.tokens).toBeLessThan(200)
  })

  it('counts tokens and lists models', async () => {
    const server = await startTestServer()
    const anthropic = client(server)
    const count = await anthropic.messages.countTokens({
      model: 'rivulet-sim',
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    })
    expect(count.input_tokens).toBeGreaterThan(5)
    const models = await anthropic.models.list()
    expect(models.data.map((model) => model.id)).toEqual(['rivulet-sim'])
    expect(models.data[0]?.display_name).toBeTruthy()
  })
})
