import { decode, type StreamPart } from '@rivulet/core'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { closeTestServers, postJson, startTestServer, type TestServer } from './helpers.js'

afterEach(closeTestServers)

const client = (server: TestServer) => new OpenAI({ apiKey: 'unused', baseURL: `${server.url}/v1`, maxRetries: 0 })
const sim = (options: Record<string, unknown>) => ({ headers: { 'x-rivulet-sim': JSON.stringify(options) } })

const weatherTool: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', enum: ['Paris', 'Oslo', 'Lisbon'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
}

/** What the app's weather tool answers for a city. */
const weatherFor = (city: string) => ({ city, temperature: city.length * 3, conditions: 'light rain' })

const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'What is the weather like today?' }

/** Asks with the weather tool and gives back the assistant message holding its call. */
async function askForCall(server: TestServer): Promise<OpenAI.ChatCompletionMessage> {
  const stream = client(server).chat.completions.stream({
    model: 'rivulet-sim',
    messages: [question],
    tools: [weatherTool],
    tool_choice: 'required',
    parallel_tool_calls: false,
  })
  const completion = await stream.finalChatCompletion()
  expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
  return completion.choices[0]?.message as OpenAI.ChatCompletionMessage
}

function functionCall(message: OpenAI.ChatCompletionMessage) {
  const call = message.tool_calls?.[0]
  if (call?.type !== 'function') throw new Error('no function call')
  return { id: call.id, name: call.function.name, args: JSON.parse(call.function.arguments) as { city: string } }
}

async function badRequest(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(OpenAI.BadRequestError)
  return error as InstanceType<typeof OpenAI.BadRequestError>
}

async function partsOf(response: Response): Promise<StreamPart[]> {
  const parts: StreamPart[] = []
  for await (const part of decode(response, { protocol: 'openai-chat' })) parts.push(part)
  return parts
}

describe('a tool conversation through the official openai SDK', () => {
  it('calls the tool, then answers from its result: the city asked and the values returned', async () => {
    const server = await startTestServer()
    const assistant = await askForCall(server)
    const call = functionCall(assistant)
    expect(call.name).toBe('get_weather')
    const weather = weatherFor(call.args.city)

    const stream = client(server).chat.completions.stream({
      model: 'rivulet-sim',
      messages: [question, assistant, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(weather) }],
      tools: [weatherTool],
    })
    const completion = await stream.finalChatCompletion()
    const answer = completion.choices[0]
    expect(answer?.finish_reason).toBe('stop')
    expect(answer?.message.tool_calls).toBeUndefined()
    expect(answer?.message.content).toContain(
      `Here is the weather in ${call.args.city}: city ${call.args.city}, temperature ${weather.temperature}, conditions light rain.`,
    )
  })

  it('says the tool failed, and why, when the result is an error', async () => {
    const server = await startTestServer()
    const assistant = await askForCall(server)
    const call = functionCall(assistant)
    const completion = await client(server).chat.completions.create({
      model: 'rivulet-sim',
      messages: [
        question,
        assistant,
        { role: 'tool', tool_call_id: call.id, content: 'Error: the weather service timed out' },
      ],
      tools: [weatherTool],
    })
    expect(completion.choices[0]?.message.content).toContain(
      `I could not get the weather in ${call.args.city}: \`get_weather\` failed (Error: the weather service timed out).`,
    )
  })

  it('refuses a tool message that answers no earlier tool call with 400 naming the message', async () => {
    const server = await startTestServer()
    const error = await badRequest(
      client(server).chat.completions.create({
        model: 'rivulet-sim',
        messages: [question, { role: 'tool', tool_call_id: 'call_nowhere', content: '{}' }],
      }),
    )
    expect(error.param).toBe('messages[1].tool_call_id')
    expect(error.message).toContain('"call_nowhere" answers no tool call')
  })

  it('refuses a tool call left without its tool message before the next user message', async () => {
    const server = await startTestServer()
    const assistant = await askForCall(server)
    const { id } = functionCall(assistant)
    for (const messages of [
      [question, assistant, { role: 'user' as const, content: 'never mind' }],
      [question, assistant],
    ]) {
      const error = await badRequest(
        client(server).chat.completions.create({ model: 'rivulet-sim', messages, tools: [weatherTool] }),
      )
      expect(error.param).toBe('messages[1].tool_calls')
      expect(error.message).toContain(`no tool message answers ${id}`)
    }
    // A tool message after a user message answers nothing either: tool messages follow their call at once.
    const late = await badRequest(
      client(server).chat.completions.create({
        model: 'rivulet-sim',
        messages: [
          question,
          assistant,
          { role: 'user', content: 'well?' },
          { role: 'tool', tool_call_id: id, content: '{}' },
        ],
      }),
    )
    expect(late.param).toBe('messages[1].tool_calls')
  })

  it('takes content as parts (text, an image, a PDF, audio) and reasoning_content, and says it saw the attachments', async () => {
    const server = await startTestServer()
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
    const completion = await client(server).chat.completions.create({
      model: 'rivulet-sim',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hi!' }], reasoning_content: 'A greeting.' } as never,
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture and this file?' },
            { type: 'image_url', image_url: { url: png, detail: 'low' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'a.pdf' } },
            { type: 'input_audio', input_audio: { data: 'UklGRiQAAABXQVZF', format: 'wav' } },
          ],
        },
      ],
    })
    expect(completion.choices[0]?.message.content).toMatch(
      /^I looked at the 3 files you attached \(image\/png, application\/pdf, audio\/wav\)\./,
    )
  })

  it('refuses content parts it does not know, or in the wrong role, with 400 naming the part', async () => {
    const server = await startTestServer()
    const cases: [unknown, string][] = [
      [{ role: 'user', content: [{ type: 'video_url', video_url: 'x' }] }, 'messages[0].content'],
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }, 'url'],
      [{ role: 'user', content: [{ type: 'file', file: {} }] }, 'messages[0].content[0].file'],
      [
        { role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
        'messages[0]',
      ],
    ]
    for (const [message, param] of cases) {
      const response = await postJson(`${server.url}/v1/chat/completions`, {
        model: 'rivulet-sim',
        messages: [message],
      })
      expect(response.status, JSON.stringify(message)).toBe(400)
      const body = (await response.json()) as { error: { param: string } }
      expect(body.error.param, JSON.stringify(message)).toContain(param)
    }
  })

  it('searches the web when asked: sources stream as search_results, before the sentences citing them', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/chat/completions`, {
      model: 'rivulet-sim',
      stream: true,
      messages: [{ role: 'user', content: 'How do tides work?' }],
      rivulet: { webSearch: true, tokens: 80 },
    })
    const parts = await partsOf(response)
    const sources = parts.filter((part) => part.type === 'source')
    expect(sources).toHaveLength(3)
    for (const source of sources) {
      expect(source.url).toMatch(/^https:\/\/[a-z]+\.example\.(com|org|net)\//)
      const at = parts.indexOf(source)
      const after = parts
        .slice(at + 1, at + 14)
        .map((part) => (part.type === 'text-delta' ? part.text : ''))
        .join('')
      expect(after).toContain(source.title)
    }
    // A provider-executed call has no Chat Completions form: the client never sees it as a call to run.
    expect(parts.some((part) => part.type === 'tool-call' || part.type === 'tool-call-delta')).toBe(false)

    const whole = await client(server).chat.completions.create(
      { model: 'rivulet-sim', messages: [{ role: 'user', content: 'How do tides work?' }] },
      sim({ webSearch: true, tokens: 80 }),
    )
    expect((whole as unknown as { search_results: { url: string }[] }).search_results.map((r) => r.url)).toEqual(
      sources.map((source) => source.url),
    )
  })

  it('draws an image when asked: a PNG data URL in the stream and in the whole answer', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/chat/completions`, {
      model: 'rivulet-sim',
      stream: true,
      messages: [{ role: 'user', content: 'Draw a lighthouse' }],
      rivulet: { image: true, tokens: 30 },
    })
    const files = (await partsOf(response)).filter((part) => part.type === 'file')
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({
      mediaType: 'image/png',
      url: expect.stringMatching(/^data:image\/png;base64,iVBORw0KGgo/),
    })

    const whole = await client(server).chat.completions.create(
      { model: 'rivulet-sim', messages: [{ role: 'user', content: 'Draw a lighthouse' }] },
      sim({ image: true, tokens: 30 }),
    )
    const message = whole.choices[0]?.message as unknown as { images?: { image_url: { url: string } }[] } | undefined
    const images = message?.images ?? []
    expect(images.map((image) => image.image_url.url)).toEqual([files[0]?.type === 'file' && files[0].url])
  })
})
