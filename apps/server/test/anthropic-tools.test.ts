import Anthropic from '@anthropic-ai/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { closeTestServers, postJson, startTestServer, type TestServer } from './helpers.js'

afterEach(closeTestServers)

const client = (server: TestServer) => new Anthropic({ apiKey: 'unused', baseURL: server.url, maxRetries: 0 })

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string', enum: ['Paris', 'Oslo', 'Lisbon'] } },
    required: ['city'],
  },
}

const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather like today?' }

/** Asks with the weather tool (and thinking, when given) and gives back the answer holding its call. */
async function askForCall(
  server: TestServer,
  thinking?: Anthropic.ThinkingConfigParam,
): Promise<{ message: Anthropic.Message; call: Anthropic.ToolUseBlock }> {
  const message = await client(server)
    .messages.stream({
      model: 'rivulet-sim',
      max_tokens: 4096,
      messages: [question],
      tools: [weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
      ...(thinking && { thinking }),
    })
    .finalMessage()
  expect(message.stop_reason).toBe('tool_use')
  const call = message.content.find((block) => block.type === 'tool_use')
  if (call?.type !== 'tool_use') throw new Error('no tool_use block')
  return { message, call }
}

const resultFor = (call: Anthropic.ToolUseBlock, extra: Partial<Anthropic.ToolResultBlockParam> = {}) => {
  const { city } = call.input as { city: string }
  return {
    role: 'user' as const,
    content: [
      {
        type: 'tool_result' as const,
        tool_use_id: call.id,
        content: JSON.stringify({ temperature: city.length * 3, conditions: 'fog' }),
        ...extra,
      },
    ],
  }
}

async function badRequest(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.BadRequestError>> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(Anthropic.BadRequestError)
  const bad = error as InstanceType<typeof Anthropic.BadRequestError>
  expect((bad.error as { error: { type: string } }).error.type).toBe('invalid_request_error')
  return bad
}

describe('a tool conversation through the official @anthropic-ai/sdk', () => {
  it('calls the tool, then answers from its tool_result: the city asked and the values returned', async () => {
    const server = await startTestServer()
    const { message, call } = await askForCall(server)
    const { city } = call.input as { city: string }
    const answer = await client(server)
      .messages.stream({
        model: 'rivulet-sim',
        max_tokens: 1024,
        messages: [question, { role: 'assistant', content: message.content }, resultFor(call)],
        tools: [weatherTool],
      })
      .finalMessage()
    expect(answer.stop_reason).toBe('end_turn')
    expect(answer.content.map((block) => block.type)).toEqual(['text'])
    const [text] = answer.content
    expect(text?.type === 'text' && text.text).toContain(
      `Here is the weather in ${city}: temperature ${city.length * 3}, conditions fog.`,
    )
  })

  it('says the tool failed, and why, for a result with is_error', async () => {
    const server = await startTestServer()
    const { message, call } = await askForCall(server)
    const { city } = call.input as { city: string }
    const answer = await client(server).messages.create({
      model: 'rivulet-sim',
      max_tokens: 1024,
      messages: [
        question,
        { role: 'assistant', content: message.content },
        resultFor(call, { content: 'The weather service is down', is_error: true }),
      ],
      tools: [weatherTool],
    })
    const [text] = answer.content
    expect(text?.type === 'text' && text.text).toContain(
      `I could not get the weather in ${city}: \`get_weather\` failed (The weather service is down).`,
    )
  })

  it('with thinking on, goes on when the thinking block comes back first with its signature, and refuses it missing', async () => {
    const server = await startTestServer()
    const thinking = { type: 'enabled', budget_tokens: 1024 } as const
    const { message, call } = await askForCall(server, thinking)
    expect(message.content[0]?.type).toBe('thinking')
    const request = (content: Anthropic.ContentBlockParam[]) =>
      client(server).messages.create({
        model: 'rivulet-sim',
        max_tokens: 4096,
        thinking,
        messages: [question, { role: 'assistant', content }, resultFor(call)],
        tools: [weatherTool],
      })
    const answer = await request(message.content)
    expect(answer.content.map((block) => block.type)).toEqual(['thinking', 'text'])

    const withoutThinking = message.content.filter((block) => block.type !== 'thinking')
    const error = await badRequest(request(withoutThinking))
    expect(error.message).toContain('messages[1].content[0].type: Expected `thinking` or `redacted_thinking`')
    // Redacted thinking counts as the thinking block.
    await request([{ type: 'redacted_thinking', data: 'c2VjcmV0' }, ...withoutThinking])
  })

  it('refuses a tool_use with no tool_result in the next message, and a tool_result with no tool_use', async () => {
    const server = await startTestServer()
    const { message, call } = await askForCall(server)
    const assistant: Anthropic.MessageParam = { role: 'assistant', content: message.content }
    const ask = (messages: Anthropic.MessageParam[]) =>
      client(server).messages.create({ model: 'rivulet-sim', max_tokens: 512, messages, tools: [weatherTool] })

    const unanswered = await badRequest(ask([question, assistant, { role: 'user', content: 'never mind' }]))
    expect(unanswered.message).toContain(
      `messages[1]: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${call.id}`,
    )
    const stray = await badRequest(
      ask([
        question,
        { role: 'assistant', content: 'Let me think.' },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_nowhere', content: '{}' }] },
      ]),
    )
    expect(stray.message).toContain(
      'messages[2].content[0]: unexpected `tool_use_id` found in `tool_result` blocks: toolu_nowhere',
    )
  })

  it('refuses empty turns as the API does: an empty assistant message between turns, an empty text block', async () => {
    const server = await startTestServer()
    const ask = (messages: Anthropic.MessageParam[]) =>
      client(server).messages.create({ model: 'rivulet-sim', max_tokens: 512, messages })
    const failedTurn = await badRequest(
      ask([question, { role: 'assistant', content: '' }, { role: 'user', content: 'Try again?' }]),
    )
    expect(failedTurn.message).toContain('messages[1]: all messages must have non-empty content')
    const emptyBlock = await badRequest(ask([{ role: 'user', content: [{ type: 'text', text: '' }] }]))
    expect(emptyBlock.message).toContain('messages[0].content[0]: text content blocks must be non-empty')
    // The final assistant message is a prefill: it may be empty.
    const prefilled = await ask([question, { role: 'assistant', content: '' }])
    expect(prefilled.stop_reason).toBe('end_turn')
  })

  it('takes images and documents, and says it saw them; refuses a block whose fields are wrong', async () => {
    const server = await startTestServer()
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
    const answer = await client(server).messages.create({
      model: 'rivulet-sim',
      max_tokens: 512,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' } },
            { type: 'text', text: 'What are these?' },
          ],
        },
      ],
    })
    const [text] = answer.content
    expect(text?.type === 'text' && text.text).toMatch(
      /^I looked at the 2 files you attached \(image\/png, application\/pdf\)\./,
    )

    const bad = await postJson(`${server.url}/v1/messages`, {
      model: 'rivulet-sim',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'Qk0=' } }],
        },
      ],
    })
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as { type: string; error: { type: string; message: string } }
    expect(body.type).toBe('error')
    expect(body.error.message).toMatch(/^messages\[0\]\.content\[0\]\.source\.media_type: /)
    const misplaced = await postJson(`${server.url}/v1/messages`, {
      model: 'rivulet-sim',
      max_tokens: 16,
      messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'toolu_1', name: 'x', input: {} }] }],
    })
    expect(((await misplaced.json()) as { error: { message: string } }).error.message).toContain(
      'a user message cannot hold a `tool_use` block',
    )
  })

  it('runs its web search server tool: server_tool_use, web_search_tool_result, then text citing the results', async () => {
    const server = await startTestServer()
    const webSearch: Anthropic.WebSearchTool20250305 = { type: 'web_search_20250305', name: 'web_search', max_uses: 3 }
    const first: Anthropic.MessageParam = { role: 'user', content: 'How do tides work?' }
    const message = await client(server)
      .messages.stream({ model: 'rivulet-sim', max_tokens: 2048, messages: [first], tools: [webSearch] })
      .finalMessage()
    expect(message.stop_reason).toBe('end_turn')
    const [use, result, ...rest] = message.content
    expect(use).toMatchObject({ type: 'server_tool_use', name: 'web_search', id: expect.stringMatching(/^srvtoolu_/) })
    expect(result?.type).toBe('web_search_tool_result')
    const results = result?.type === 'web_search_tool_result' && Array.isArray(result.content) ? result.content : []
    expect(results).toHaveLength(3)
    expect(result?.type === 'web_search_tool_result' && result.tool_use_id).toBe(
      use?.type === 'server_tool_use' && use.id,
    )
    const citations = rest.flatMap((block) => (block.type === 'text' ? (block.citations ?? []) : []))
    expect(citations.map((citation) => citation.type === 'web_search_result_location' && citation.url)).toEqual(
      results.map((item) => item.url),
    )
    // The server tool is not one for the client to run: no tool_use block.
    expect(message.content.some((block) => block.type === 'tool_use')).toBe(false)

    // The whole answer goes back as history, and the conversation goes on.
    const next = await client(server).messages.create({
      model: 'rivulet-sim',
      max_tokens: 512,
      messages: [first, { role: 'assistant', content: message.content }, { role: 'user', content: 'Thanks!' }],
      tools: [webSearch],
    })
    expect(next.content.length).toBeGreaterThan(0)
    // A server_tool_use without its result block is refused.
    const broken = await badRequest(
      client(server).messages.create({
        model: 'rivulet-sim',
        max_tokens: 512,
        messages: [
          first,
          { role: 'assistant', content: [use as Anthropic.ServerToolUseBlock] },
          { role: 'user', content: 'Well?' },
        ],
      }),
    )
    expect(broken.message).toContain('was found without its result block')
  })
})
