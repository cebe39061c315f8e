import { afterEach, describe, expect, it, vi } from 'vitest'
import { StreamError } from '../errors.js'
import { scripted, testSession } from '../testing/session.js'
import { controlledStream } from '../transports/controlled.js'
import type { StreamPart } from '../types.js'
import type { ChatMessage, ToolDefinition, ToolPart } from './message.js'

const td = (text: string): StreamPart => ({ type: 'text-delta', text })
const call = (id: string, name: string, args: unknown, index = 0): StreamPart => ({
  type: 'tool-call',
  index,
  id,
  name,
  args,
})
const finish: StreamPart = { type: 'finish', reason: 'stop' }
const toolCalls: StreamPart = { type: 'finish', reason: 'tool-calls' }

const session = testSession

const tools = (chat: ReturnType<typeof session>, at = -1) =>
  (chat.getSnapshot().messages.at(at)?.parts ?? []).filter((part): part is ToolPart => part.type === 'tool')

const citySchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }

afterEach(() => {
  vi.useRealTimers()
})

describe('ChatSession tool loop', () => {
  it('runs execute, then asks again by itself: the answer goes on after a step-start in the same message', async () => {
    const weather: ToolDefinition = {
      inputSchema: citySchema,
      execute: vi.fn(async (input) => ({ ...(input as object), sky: 'sunny' })),
    }
    const { transport, requests } = scripted(
      [td('Checking.'), call('c1', 'weather', { city: 'Oslo' }), toolCalls],
      [td('Sunny in Oslo.'), finish],
    )
    const chat = session({ transport, tools: { weather } })
    await chat.send('Weather?')
    const { messages, status } = chat.getSnapshot()
    expect(status).toBe('done')
    expect(messages).toHaveLength(2)
    expect(messages[1]?.parts).toEqual([
      { type: 'text', text: 'Checking.' },
      {
        type: 'tool',
        toolCallId: 'c1',
        name: 'weather',
        state: 'output-available',
        input: { city: 'Oslo' },
        output: { city: 'Oslo', sky: 'sunny' },
      },
      { type: 'step-start' },
      { type: 'text', text: 'Sunny in Oslo.' },
    ])
    expect(messages[1]?.content).toBe('Checking.\n\nSunny in Oslo.')
    expect(weather.execute).toHaveBeenCalledWith({ city: 'Oslo' }, expect.objectContaining({ toolCallId: 'c1' }))
    expect(requests).toHaveLength(2)
    expect(requests[0]?.tools).toEqual({ weather })
    const sent = requests[1]?.messages.at(-1)
    expect(sent?.role).toBe('assistant')
    expect(sent?.parts[1]).toMatchObject({ toolCallId: 'c1', state: 'output-available' })
  })

  it('stops after maxSteps requests', async () => {
    const loop = () => [call(`c${Math.random()}`, 'again', {}), toolCalls]
    const { transport, requests } = scripted(loop(), loop(), loop(), loop())
    const chat = session({ transport, tools: { again: { inputSchema: {}, execute: () => 'ok' } }, maxSteps: 2 })
    await chat.send('Go')
    expect(requests).toHaveLength(2)
    expect(chat.getSnapshot().status).toBe('done')
    expect(chat.getSnapshot().messages[1]?.parts.filter((part) => part.type === 'step-start')).toHaveLength(1)
  })

  it('tells the app about each complete call; its addToolResult makes the answer go on', async () => {
    const onToolCall = vi.fn()
    const { transport, requests } = scripted(
      [call('c1', 'pick_color', { of: 'sky' }), toolCalls],
      [td('Blue it is.'), finish],
    )
    const chat = session({ transport, onToolCall })
    await chat.send('Pick')
    expect(onToolCall).toHaveBeenCalledTimes(1)
    expect(onToolCall).toHaveBeenCalledWith({ toolCallId: 'c1', name: 'pick_color', input: { of: 'sky' } })
    // Waiting on the app: the answer rests.
    expect(chat.getSnapshot().status).toBe('done')
    expect(tools(chat)[0]?.state).toBe('input-available')
    expect(requests).toHaveLength(1)
    chat.addToolResult({ toolCallId: 'c1', output: 'blue' })
    await vi.waitFor(() => expect(chat.getSnapshot().messages[1]?.content).toBe('Blue it is.'))
    expect(requests).toHaveLength(2)
    expect(tools(chat)[0]).toMatchObject({ state: 'output-available', output: 'blue' })
    expect(chat.getSnapshot().status).toBe('done')
  })

  it('asks for approval first; approved runs execute and goes on, denied tells the model why', async () => {
    const execute = vi.fn(() => 'sent')
    const email: ToolDefinition = { inputSchema: {}, execute, needsApproval: true }
    const { transport, requests } = scripted(
      [call('c1', 'email', { to: 'a' }), toolCalls],
      [call('c2', 'email', { to: 'b' }), toolCalls],
      [td('One sent, one not.'), finish],
    )
    const chat = session({ transport, tools: { email } })
    await chat.send('Email a and b')
    expect(tools(chat)[0]?.state).toBe('approval-requested')
    expect(execute).not.toHaveBeenCalled()
    chat.respondToApproval({ toolCallId: 'c1', approved: true })
    await vi.waitFor(() => expect(requests).toHaveLength(2))
    await vi.waitFor(() => expect(tools(chat)[1]?.state).toBe('approval-requested'))
    expect(execute).toHaveBeenCalledTimes(1)
    chat.respondToApproval({ toolCallId: 'c2', approved: false, reason: 'not b' })
    await vi.waitFor(() => expect(chat.getSnapshot().messages[1]?.content).toBe('One sent, one not.'))
    expect(execute).toHaveBeenCalledTimes(1)
    expect(tools(chat)).toEqual([
      expect.objectContaining({ state: 'output-available', output: 'sent', approval: { approved: true } }),
      expect.objectContaining({
        state: 'output-denied',
        approval: { approved: false, reason: 'not b' },
        errorText: 'The user denied this call: not b',
      }),
    ])
  })

  it('turns a throwing execute, invalid arguments and an unknown tool into error results the model gets', async () => {
    const execute = vi.fn(() => {
      throw new Error('The weather service is down')
    })
    const { transport, requests } = scripted(
      [
        call('c1', 'weather', { city: 'Oslo' }, 0),
        call('c2', 'weather', { town: 'Oslo' }, 1),
        call('c3', 'horoscope', {}, 2),
        toolCalls,
      ],
      [td('Sorry.'), finish],
    )
    const chat = session({ transport, tools: { weather: { inputSchema: citySchema, execute } } })
    await chat.send('Weather?')
    expect(execute).toHaveBeenCalledTimes(1)
    const [thrown, invalid, unknown] = tools(chat)
    expect(thrown).toMatchObject({ state: 'output-error', errorText: 'The weather service is down' })
    expect(invalid).toMatchObject({
      state: 'output-error',
      errorText: 'Invalid arguments for weather: `city` is required.',
    })
    expect(unknown?.state).toBe('output-error')
    expect(unknown?.errorText).toMatch(/no tool named "horoscope".*weather/)
    expect(requests).toHaveLength(2)
    expect(chat.getSnapshot().messages[1]?.content).toBe('Sorry.')
  })

  it('abort stops the loop and a running execute through its signal', async () => {
    let signal: AbortSignal | undefined
    const slow: ToolDefinition = {
      inputSchema: {},
      execute: (_input, context) =>
        new Promise((_, reject) => {
          signal = context.signal
          context.signal.addEventListener('abort', () => reject(new Error('aborted')))
        }),
    }
    const { transport, requests } = scripted([call('c1', 'slow', {}), toolCalls], [td('never'), finish])
    const chat = session({ transport, tools: { slow } })
    const done = chat.send('Go')
    await vi.waitFor(() => expect(signal).toBeDefined())
    expect(chat.getSnapshot().status).toBe('streaming')
    chat.abort()
    await done
    expect(signal?.aborted).toBe(true)
    expect(requests).toHaveLength(1)
    expect(chat.getSnapshot().status).toBe('aborted')
    expect(tools(chat)[0]).toMatchObject({ state: 'output-error', errorText: expect.stringMatching(/stopped/) })
  })

  it('keeps tool call ids unique in the conversation when a provider repeats or omits them', async () => {
    const { transport } = scripted(
      [call('c1', 'f', {}), toolCalls],
      [call('c1', 'f', {}), toolCalls],
      [call('', 'f', {}), call('', 'f', {}, 1), toolCalls],
      [td('done'), finish],
    )
    const chat = session({ transport, tools: { f: { inputSchema: {}, execute: () => 1 } } })
    await chat.send('Go')
    const ids = tools(chat).map((part) => part.toolCallId)
    expect(ids).toHaveLength(4)
    expect(new Set(ids).size).toBe(4)
    expect(ids[0]).toBe('c1')
  })

  it('gives calls the app never answered an error result once the conversation goes on', async () => {
    const { transport, requests } = scripted([call('c1', 'ask', {}), toolCalls], [td('ok'), finish])
    const chat = session({ transport })
    await chat.send('one')
    await chat.send('two')
    const sent = requests[1]?.messages[1]?.parts[0]
    expect(sent).toMatchObject({ toolCallId: 'c1', state: 'output-error' })
  })
})

describe('ChatSession sending', () => {
  it('queues a send during a stream by default and sends it when the answer ends', async () => {
    const live = controlledStream()
    const { transport, requests } = scripted(live.stream, [td('second'), finish])
    const chat = session({ transport })
    const first = chat.send('one')
    live.push(td('first'))
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('streaming'))
    const second = chat.send('two')
    await Promise.resolve()
    expect(requests).toHaveLength(1)
    live.push(finish)
    live.push('end')
    await Promise.all([first, second])
    expect(chat.getSnapshot().messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'one', undefined],
      ['assistant', 'first', 'done'],
      ['user', 'two', undefined],
      ['assistant', 'second', 'done'],
    ])
  })

  it('calls onFinish for every ended answer: done, aborted and failed', async () => {
    const onFinish = vi.fn()
    const live = controlledStream()
    const { transport } = scripted([td('a'), finish], live.stream, new StreamError('http', 'HTTP 400', { status: 400 }))
    const chat = session({ transport, onFinish })
    await chat.send('1')
    const stopped = chat.send('2')
    live.push(td('part'))
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('streaming'))
    chat.abort()
    await stopped
    await chat.send('3')
    expect(onFinish.mock.calls.map(([message, info]) => [message.content, info.status])).toEqual([
      ['a', 'done'],
      ['part', 'aborted'],
      ['', 'error'],
    ])
  })

  it('takes files: a Blob becomes a data: URL part, a URL is sent as it is, then the text', async () => {
    const { transport, requests } = scripted([td('A cat.'), finish])
    const chat = session({ transport })
    await chat.send({
      text: 'What is this?',
      files: [new Blob(['hi'], { type: 'text/plain' }), { url: 'https://a.example/cat.png', mediaType: 'image/png' }],
    })
    expect(requests[0]?.messages[0]?.parts).toEqual([
      { type: 'file', mediaType: 'text/plain', url: 'data:text/plain;base64,aGk=' },
      { type: 'file', mediaType: 'image/png', url: 'https://a.example/cat.png' },
      { type: 'text', text: 'What is this?' },
    ])
  })

  it('does not send a failed or stopped answer that holds nothing; a stopped one with text is sent', async () => {
    const live = controlledStream()
    const { transport, requests } = scripted(new StreamError('http', 'HTTP 400', { status: 400 }), live.stream, [
      td('ok'),
      finish,
    ])
    const chat = session({ transport })
    await chat.send('1')
    expect(chat.getSnapshot().messages[1]).toMatchObject({ role: 'assistant', parts: [], status: 'error' })
    const stopped = chat.send('2')
    live.push(td('half'))
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('streaming'))
    chat.abort()
    await stopped
    await chat.send('3')
    expect(requests[2]?.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', '1'],
      ['user', '2'],
      ['assistant', 'half'],
      ['user', '3'],
    ])
  })
})

describe('ChatSession state', () => {
  it('reset notifies once, and leaves an idle, empty session', async () => {
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport })
    const done = chat.send('Hi')
    live.push(td('x'))
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('streaming'))
    const seen: string[] = []
    chat.subscribe(() => seen.push(chat.getSnapshot().status))
    chat.reset()
    await done
    expect(seen).toEqual(['idle'])
    expect(chat.getSnapshot()).toEqual({ messages: [], status: 'idle' })
  })

  it('setMessages mid-stream stops the answer and leaves the status idle; the old stream changes nothing', async () => {
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport })
    const done = chat.send('Hi')
    live.push(td('x'))
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('streaming'))
    const replaced: ChatMessage[] = [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'New' }], content: 'New' }]
    chat.setMessages(replaced)
    live.push(td('late'))
    await done
    expect(chat.getSnapshot()).toEqual({ messages: replaced, status: 'idle' })
  })

  it('runs a listener only when the snapshot changed', async () => {
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport })
    let notified = 0
    chat.subscribe(() => notified++)
    chat.abort() // nothing live: nothing changes
    expect(notified).toBe(0)
    const done = chat.send('Hi')
    live.push(td('x'))
    await vi.waitFor(() => expect(chat.getSnapshot().messages[1]?.content).toBe('x'))
    const before = notified
    live.push({ type: 'start', model: 'sim' }) // changes no part
    live.push(td('y'))
    await vi.waitFor(() => expect(chat.getSnapshot().messages[1]?.content).toBe('xy'))
    expect(notified - before).toBe(1)
    chat.abort()
    await done
  })

  it('setOptions changes what the next request uses, without a new session', async () => {
    const first = scripted([td('one'), finish])
    const second = scripted([td('two'), finish])
    const chat = session({ transport: first.transport })
    await chat.send('1')
    chat.setOptions({ transport: second.transport, maxSteps: 1 })
    await chat.send('2')
    expect(first.requests).toHaveLength(1)
    expect(second.requests).toHaveLength(1)
    expect(chat.getSnapshot().messages.map((m) => m.content)).toEqual(['1', 'one', '2', 'two'])
  })

  it('measures a stall on the injected clock', async () => {
    vi.useFakeTimers()
    let clock = 0
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport, stallTimeoutMs: 1000, now: () => clock })
    const done = chat.send('Hi')
    live.push(td('a'))
    await vi.advanceTimersByTimeAsync(1000)
    // The timer fired, but on the session's clock no time passed: not a stall.
    expect(chat.getSnapshot().status).toBe('streaming')
    clock = 1000
    await vi.advanceTimersByTimeAsync(1000)
    await done
    expect(chat.getSnapshot().error?.kind).toBe('timeout')
  })
})

describe('ChatSession branches', () => {
  it('editing a message keeps the earlier version and its answer as a branch; the selected one is sent', async () => {
    const { transport, requests } = scripted([td('A1'), finish], [td('A2'), finish])
    const chat = session({ transport })
    await chat.send('Q1')
    const question = chat.getSnapshot().messages[0] as ChatMessage
    await chat.editMessage(question.id, 'Q1, edited')
    let { messages } = chat.getSnapshot()
    expect(messages.map((m) => m.content)).toEqual(['Q1, edited', 'A2'])
    expect(messages[0]?.branch).toEqual({ index: 1, count: 2 })
    expect(requests[1]?.messages.map((m) => m.content)).toEqual(['Q1, edited'])
    chat.selectBranch(messages[0]?.id as string, 0)
    messages = chat.getSnapshot().messages
    expect(messages.map((m) => m.content)).toEqual(['Q1', 'A1'])
    expect(messages[0]?.branch).toEqual({ index: 0, count: 2 })
  })

  it('regenerating keeps the earlier answer as a branch', async () => {
    const { transport } = scripted([td('first'), finish], [td('second'), finish])
    const chat = session({ transport })
    await chat.send('Q')
    await chat.regenerate()
    const answer = chat.getSnapshot().messages[1] as ChatMessage
    expect(answer).toMatchObject({ content: 'second', branch: { index: 1, count: 2 } })
    chat.selectBranch(answer.id, 0)
    expect(chat.getSnapshot().messages[1]).toMatchObject({ content: 'first', branch: { index: 0, count: 2 } })
    expect(chat.getSnapshot().messages).toHaveLength(2)
  })
})
