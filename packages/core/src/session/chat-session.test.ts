import { afterEach, describe, expect, it, vi } from 'vitest'
import { StreamError } from '../errors.js'
import { errorSummary } from '../testing/protocol.js'
import { scripted, testSession } from '../testing/session.js'
import { controlledStream } from '../transports/controlled.js'
import type { StreamPart } from '../types.js'
import type { ChatSnapshot } from './chat-session.js'
import type { Scheduler } from './scheduler.js'

const td = (text: string): StreamPart => ({ type: 'text-delta', text })
const finish: StreamPart = { type: 'finish', reason: 'stop', raw: 'stop' }
const user = (id: string, text: string) => ({ id, role: 'user', parts: [{ type: 'text', text }], content: text })

const session = testSession

const statuses = (chat: ReturnType<typeof session>) => {
  const seen: string[] = []
  chat.subscribe(() => {
    const { status } = chat.getSnapshot()
    if (seen.at(-1) !== status) seen.push(status)
  })
  return seen
}

afterEach(() => {
  vi.useRealTimers()
})

describe('ChatSession', () => {
  it('goes idle → submitted → streaming → done, with the answer, its finish reason, usage and metrics', async () => {
    const { transport, requests } = scripted([
      { type: 'start' },
      td('Hello'),
      td(' there'),
      { type: 'usage', inputTokens: 4, outputTokens: 2 },
      finish,
    ])
    const chat = session({ transport })
    const seen = statuses(chat)
    await chat.send('Hi')
    expect(seen).toEqual(['submitted', 'streaming', 'done'])
    expect(requests[0]?.messages).toEqual([user('m1', 'Hi')])
    const { messages, status } = chat.getSnapshot()
    expect(status).toBe('done')
    expect(messages).toEqual([
      user('m1', 'Hi'),
      {
        id: 'm2',
        role: 'assistant',
        parts: [{ type: 'text', text: 'Hello there' }],
        content: 'Hello there',
        status: 'done',
        finishReason: 'stop',
        usage: { inputTokens: 4, outputTokens: 2 },
        metrics: { tokens: 2, ttftMs: 0, tokensPerSecond: 0, durationMs: 0 },
      },
    ])
  })

  it('keeps reasoning and tool calls on the answer', async () => {
    const { transport } = scripted([
      { type: 'reasoning-delta', text: 'Let me look.' },
      { type: 'tool-call', index: 0, id: 'c1', name: 'weather', args: { city: 'Oslo' } },
      { type: 'finish', reason: 'tool-calls' },
    ])
    const chat = session({ transport })
    await chat.send('Weather?')
    expect(chat.getSnapshot().messages[1]).toMatchObject({
      parts: [
        { type: 'reasoning', text: 'Let me look.' },
        { type: 'tool', toolCallId: 'c1', name: 'weather', state: 'input-available', input: { city: 'Oslo' } },
      ],
      reasoning: 'Let me look.',
      finishReason: 'tool-calls',
    })
  })

  it('with whenBusy reject, rejects a send while a stream is live; interrupt stops it and sends', async () => {
    const live = controlledStream()
    const next = controlledStream()
    const { transport } = scripted(live.stream, next.stream)
    const chat = session({ transport, whenBusy: 'reject' })
    const first = chat.send('one')
    live.push(td('partial'))
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('streaming'))
    await expect(chat.send('two')).rejects.toThrow(/still streaming/)
    expect(chat.getSnapshot().messages).toHaveLength(2)
    const second = chat.send('two', { whenBusy: 'interrupt' })
    next.push(td('answer'))
    next.push(finish)
    next.push('end')
    await Promise.all([first, second])
    expect(chat.getSnapshot().messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'one', undefined],
      ['assistant', 'partial', 'aborted'],
      ['user', 'two', undefined],
      ['assistant', 'answer', 'done'],
    ])
  })

  it('abort keeps the partial text, marks the answer aborted and cancels the transport', async () => {
    const live = controlledStream()
    const { transport, requests } = scripted(live.stream)
    const chat = session({ transport })
    const done = chat.send('Tell me a story')
    live.push(td('Once upon'))
    await vi.waitFor(() => expect(chat.getSnapshot().messages[1]?.content).toBe('Once upon'))
    chat.abort()
    expect(chat.getSnapshot().status).toBe('aborted')
    await done
    expect(requests[0]?.signal.aborted).toBe(true)
    expect(chat.getSnapshot().messages[1]).toMatchObject({ content: 'Once upon', status: 'aborted' })
    expect(chat.getSnapshot().status).toBe('aborted')
  })

  it('reset aborts and clears the conversation', async () => {
    const live = controlledStream()
    const { transport, requests } = scripted(live.stream)
    const chat = session({ transport })
    const done = chat.send('Hi')
    live.push(td('x'))
    await vi.waitFor(() => expect(chat.getSnapshot().status).toBe('streaming'))
    chat.reset()
    await done
    expect(requests[0]?.signal.aborted).toBe(true)
    expect(chat.getSnapshot()).toEqual({ messages: [], status: 'idle' })
  })

  it('regenerate replaces the last answer with a new one from the same history', async () => {
    const { transport, requests } = scripted([td('first'), finish], [td('second'), finish])
    const chat = session({ transport })
    await chat.send('Q')
    await chat.regenerate()
    expect(chat.getSnapshot().messages.map((m) => m.content)).toEqual(['Q', 'second'])
    expect(requests[1]?.messages).toEqual([user('m1', 'Q')])
  })

  it('ends in error with kind and partial text when the stream fails after the first token (no retry)', async () => {
    const failure = new StreamError('interrupted', 'dropped')
    const live = controlledStream()
    const { transport, requests } = scripted(live.stream)
    const chat = session({ transport })
    const done = chat.send('Hi')
    live.push(td('Half an ans'))
    live.push(failure)
    await done
    expect(requests).toHaveLength(1)
    const { status, error, messages } = chat.getSnapshot()
    expect(status).toBe('error')
    expect(error).toBe(failure)
    expect(messages[1]).toMatchObject({ content: 'Half an ans', status: 'error', error: failure })
  })

  it('retries failures before the first token with backoff, honouring Retry-After', async () => {
    vi.useFakeTimers()
    const rateLimited = new StreamError('http', 'HTTP 429', { status: 429, retryAfterMs: 2000 })
    const overloaded = new StreamError('provider', 'Overloaded', { code: 'overloaded_error' })
    const { transport, requests } = scripted(rateLimited, overloaded, [td('ok'), finish])
    const chat = session({ transport, random: () => 0, retry: { attempts: 3, baseDelayMs: 100 } })
    const done = chat.send('Hi')
    await vi.advanceTimersByTimeAsync(1999)
    expect(requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(requests).toHaveLength(2)
    // Second backoff: 100 × 2¹ = 200 ms, jitter (random 0) takes half: 100 ms.
    await vi.advanceTimersByTimeAsync(100)
    await done
    expect(requests).toHaveLength(3)
    expect(chat.getSnapshot().messages[1]).toMatchObject({ content: 'ok', status: 'done' })
  })

  it('does not retry what cannot succeed (a 400) and stops after the attempt limit', async () => {
    const bad = new StreamError('http', 'HTTP 400', { status: 400 })
    const one = scripted(bad, [td('never')])
    const chat = session({ transport: one.transport })
    await chat.send('Hi')
    expect(one.requests).toHaveLength(1)
    expect(errorSummary(chat.getSnapshot().error)).toMatchObject({ kind: 'http', status: 400 })

    vi.useFakeTimers()
    const down = new StreamError('http', 'HTTP 503', { status: 503 })
    const many = scripted(down, down, down, [td('never')])
    const chat2 = session({ transport: many.transport, retry: { attempts: 3, baseDelayMs: 10 } })
    const done = chat2.send('Hi')
    await vi.advanceTimersByTimeAsync(1000)
    await done
    expect(many.requests).toHaveLength(3)
    expect(chat2.getSnapshot().status).toBe('error')
  })

  it('aborting during a retry wait stops at once', async () => {
    vi.useFakeTimers()
    const { transport, requests } = scripted(new StreamError('network', 'offline'), [td('never')])
    const chat = session({ transport, retry: { baseDelayMs: 10_000 } })
    const done = chat.send('Hi')
    await vi.advanceTimersByTimeAsync(10)
    chat.abort()
    await done
    expect(requests).toHaveLength(1)
    expect(chat.getSnapshot().status).toBe('aborted')
  })

  it('times out with kind timeout when no first token comes, and cancels the attempt', async () => {
    vi.useFakeTimers()
    const silent = controlledStream()
    const { transport, requests } = scripted(silent.stream)
    const chat = session({ transport, firstTokenTimeoutMs: 5000, retry: false })
    const done = chat.send('Hi')
    await vi.advanceTimersByTimeAsync(5000)
    await done
    expect(requests[0]?.signal.aborted).toBe(true)
    expect(errorSummary(chat.getSnapshot().error)).toMatchObject({ kind: 'timeout' })
  })

  it('times out with kind timeout on a stall, keeping the text so far', async () => {
    vi.useFakeTimers()
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport, stallTimeoutMs: 1000, now: () => Date.now() })
    const done = chat.send('Hi')
    live.push(td('a'))
    await vi.advanceTimersByTimeAsync(900)
    live.push(td('b'))
    await vi.advanceTimersByTimeAsync(900)
    expect(chat.getSnapshot().status).toBe('streaming')
    await vi.advanceTimersByTimeAsync(200)
    await done
    expect(chat.getSnapshot().messages[1]).toMatchObject({ content: 'ab', status: 'error' })
    expect(errorSummary(chat.getSnapshot().error)).toMatchObject({ kind: 'timeout' })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('notifies at most once per frame however many tokens arrive', async () => {
    const frames: Array<() => void> = []
    const scheduler: Scheduler = (flush) => {
      frames.push(flush)
      return () => frames.splice(frames.indexOf(flush), 1)
    }
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport, scheduler })
    let notified = 0
    chat.subscribe(() => notified++)
    const done = chat.send('Hi')
    for (let i = 0; i < 1000; i++) live.push(td('x'))
    await vi.waitFor(() => expect(frames.length).toBe(1))
    const before = notified
    await new Promise((resolve) => setImmediate(resolve))
    expect(frames.length).toBe(1)
    frames.shift()?.()
    expect(notified - before).toBe(1)
    live.push(finish)
    live.push('end')
    await done
    expect(chat.getSnapshot().messages[1]?.content).toBe('x'.repeat(1000))
  })

  it('keeps the same snapshot until something changes, and shares unchanged messages', async () => {
    const { transport } = scripted([td('a'), finish], [td('b'), finish])
    const chat = session({ transport })
    await chat.send('1')
    const first = chat.getSnapshot()
    expect(chat.getSnapshot()).toBe(first)
    await chat.send('2')
    const second = chat.getSnapshot()
    expect(second).not.toBe(first)
    expect(second.messages[0]).toBe(first.messages[0])
    expect(second.messages[1]).toBe(first.messages[1])
  })

  it('reports progress with percent reaching 100 only when done', async () => {
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport, estimatedTokens: 4 })
    const snapshots: ChatSnapshot[] = []
    chat.subscribe(() => snapshots.push(chat.getSnapshot()))
    const done = chat.send('Hi')
    live.push(td('a'))
    live.push(td('b'))
    await vi.waitFor(() => expect(chat.getSnapshot().progress?.tokens).toBe(2))
    expect(chat.getSnapshot().progress?.percent).toBe(50)
    live.push(finish)
    live.push('end')
    await done
    expect(chat.getSnapshot().progress?.percent).toBe(100)
    expect(snapshots.filter((s) => s.progress?.percent === 100)).toHaveLength(1)
  })

  it('notifies on every change with a synchronous scheduler', async () => {
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport })
    const contents: string[] = []
    chat.subscribe(() => contents.push(chat.getSnapshot().messages.at(-1)?.content ?? ''))
    const done = chat.send('Hi')
    for (const piece of ['a', 'b', 'c', 'd']) live.push(td(piece))
    live.push(finish)
    live.push('end')
    await done
    expect(contents).toEqual(expect.arrayContaining(['a', 'ab', 'abc', 'abcd']))
  })

  it('adopts usage that arrives after the last token into progress: usage wins', async () => {
    let now = 0
    const { transport } = scripted([
      td('a'),
      td('b'),
      td('c'),
      { type: 'usage', inputTokens: 5, outputTokens: 9 },
      finish,
    ])
    const chat = session({ transport, estimatedTokens: 20, now: () => (now += 100) })
    await chat.send('Hi')
    const { progress, messages } = chat.getSnapshot()
    expect(progress).toMatchObject({ tokens: 9, percent: 100, etaMs: 0 })
    // Nine tokens, the first excluded, over the time from the first token to the last.
    const sinceFirst = progress!.elapsedMs - progress!.ttftMs!
    expect(progress!.tokensPerSecond).toBeCloseTo((8 * 1000) / sinceFirst)
    expect(messages.at(-1)?.metrics).toMatchObject({ tokens: 9, tokensPerSecond: progress!.tokensPerSecond })
  })

  it('shows no tokens while submitted, even when usage comes before the first token', async () => {
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport })
    const done = chat.send('Hi')
    live.push({ type: 'usage', inputTokens: 12, outputTokens: 1 })
    await vi.waitFor(() => expect(chat.getSnapshot().messages.at(-1)?.usage).toMatchObject({ outputTokens: 1 }))
    expect(chat.getSnapshot()).toMatchObject({ status: 'submitted', progress: { tokens: 0 } })
    live.push(td('Hello'))
    live.push(finish)
    live.push('end')
    await done
    expect(chat.getSnapshot().status).toBe('done')
  })

  it('keeps percent below 100 and never decreasing when usage arrives mid-stream', async () => {
    const live = controlledStream()
    const { transport } = scripted(live.stream)
    const chat = session({ transport, estimatedTokens: 10, buffer: 'none' })
    const done = chat.send('Hi')
    for (const piece of ['a', 'b', 'c', 'd', 'e']) live.push(td(piece))
    await vi.waitFor(() => expect(chat.getSnapshot().progress).toMatchObject({ percent: 50 }))
    live.push({ type: 'usage', outputTokens: 3 })
    live.push({ type: 'usage', outputTokens: 40 })
    await vi.waitFor(() => expect(chat.getSnapshot().progress?.tokens).toBe(40))
    expect(chat.getSnapshot().progress?.percent).toBe(99)
    live.push(finish)
    live.push('end')
    await done
    expect(chat.getSnapshot().progress?.percent).toBe(100)
  })

  it('leaves no timer behind after a stream ends', async () => {
    vi.useFakeTimers()
    const { transport } = scripted([td('a'), finish])
    const chat = session({ transport, firstTokenTimeoutMs: 1000, stallTimeoutMs: 1000 })
    await chat.send('Hi')
    expect(vi.getTimerCount()).toBe(0)
  })
})
