import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { StreamError } from '../errors.js'
import { errorSummary } from '../testing/protocol.js'
import { collect } from '../testing/streams.js'
import type { StreamPart } from '../types.js'
import { collectResult, ResultCollector } from './result.js'
import { type StreamTokensOptions, streamTokens, type TokenEvent, type TokenStreamItem } from './stream-tokens.js'

/** A fake clock and a parts source that advances it before each part. */
function timed(steps: Array<[atMs: number, part: StreamPart]>, error?: unknown) {
  const clock = { t: 0 }
  async function* parts() {
    for (const [at, part] of steps) {
      clock.t = at
      yield part
    }
    if (error) throw error
  }
  return { clock, now: () => clock.t, parts: parts() }
}

const td = (text: string): StreamPart => ({ type: 'text-delta', text })
const rd = (text: string): StreamPart => ({ type: 'reasoning-delta', text })
const tokens = (items: TokenStreamItem[]) => items.filter((item): item is TokenEvent => item.type === 'token')

afterEach(() => {
  vi.useRealTimers()
})

describe('streamTokens progress', () => {
  it('measures TTFT from request start and tokens per second from the first token', async () => {
    const { now, parts } = timed([
      [0, { type: 'start' }],
      [300, td('a')],
      [400, td('b')],
      [500, td('c')],
      [500, { type: 'finish', reason: 'stop' }],
    ])
    const events = tokens((await collect(streamTokens(parts, { now, startedAt: 0 }))).values)
    expect(events.map((e) => e.progress)).toEqual([
      { tokens: 1, elapsedMs: 300, ttftMs: 300, tokensPerSecond: 0 },
      { tokens: 2, elapsedMs: 400, ttftMs: 300, tokensPerSecond: 10 },
      { tokens: 3, elapsedMs: 500, ttftMs: 300, tokensPerSecond: 10 },
    ])
  })

  it('counts deltas until usage is reported, then usage wins', async () => {
    const { now, parts } = timed([
      [10, td('a')],
      [20, td('b')],
      [30, { type: 'usage', outputTokens: 40 }],
      [40, td('c')],
      [50, { type: 'finish', reason: 'stop' }],
    ])
    const events = tokens((await collect(streamTokens(parts, { now, startedAt: 0 }))).values)
    expect(events.map((e) => e.progress.tokens)).toEqual([1, 2, 41])
  })

  it('takes TTFT at the first reasoning delta too', async () => {
    const { now, parts } = timed([
      [120, rd('thinking')],
      [200, td('answer')],
    ])
    const events = tokens((await collect(streamTokens(parts, { now, startedAt: 0 }))).values)
    expect(events[0]?.progress.ttftMs).toBe(120)
  })

  it('with an estimate, percent never decreases, stays under 100 until finish and eta is never negative', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('delta'), fc.nat({ max: 30 })), { maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        async (script, estimatedTokens) => {
          let t = 0
          const steps: Array<[number, StreamPart]> = script.map((step) => {
            t += 7
            return [t, step === 'delta' ? td('x') : { type: 'usage', outputTokens: step }]
          })
          steps.push([t + 1, { type: 'finish', reason: 'stop' }])
          const { now, parts } = timed(steps)
          const items = (await collect(streamTokens(parts, { now, startedAt: 0, estimatedTokens }))).values
          const percents = tokens(items).map((e) => e.progress.percent as number)
          for (let i = 1; i < percents.length; i++)
            expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1] as number)
          for (const p of percents) expect(p).toBeLessThan(100)
          for (const e of tokens(items)) expect(e.progress.etaMs ?? 0).toBeGreaterThanOrEqual(0)
        },
      ),
    )
  })

  it('reports 100% in the result once the stream finished', async () => {
    const { now, parts } = timed([
      [10, td('a')],
      [20, td('b')],
      [30, { type: 'finish', reason: 'stop' }],
    ])
    const collector = new ResultCollector()
    for await (const item of streamTokens(parts, { now, startedAt: 0, estimatedTokens: 100 })) collector.add(item)
    expect(collector.result()).toMatchObject({ text: 'ab', tokens: 2, ttftMs: 10, durationMs: 20 })
  })
})

describe('streamTokens progress on usage and finish', () => {
  it('attaches the progress they make: usage wins over counted deltas, finish makes percent 100', async () => {
    const { now, parts } = timed([
      [10, td('a')],
      [20, td('b')],
      [30, { type: 'usage', outputTokens: 5 }],
      [40, { type: 'finish', reason: 'stop' }],
    ])
    const items = (await collect(streamTokens(parts, { now, startedAt: 0, estimatedTokens: 10 }))).values
    const usage = items.find((item) => item.type === 'usage')
    const end = items.find((item) => item.type === 'finish')
    // Measured at the last token (20 ms), with usage's count.
    expect(usage?.type === 'usage' && usage.progress).toMatchObject({ tokens: 5, elapsedMs: 20, percent: 50 })
    expect(end?.type === 'finish' && end.progress).toMatchObject({ tokens: 5, elapsedMs: 20, percent: 100, etaMs: 0 })
  })
})

describe('streamTokens buffering and order', () => {
  it('flushes buffered text before a tool call, usage or finish, so order is kept', async () => {
    const { now, parts } = timed([
      [1, td('Let me ')],
      [2, td('check')],
      [3, { type: 'tool-call', index: 0, id: 'c', name: 'f', args: {} }],
      [4, td('Done')],
      [5, { type: 'usage', outputTokens: 3 }],
      [6, { type: 'finish', reason: 'stop' }],
    ])
    const items = (await collect(streamTokens(parts, { now, buffer: 'sentence' }))).values
    expect(items.map((item) => (item.type === 'token' ? item.text : item.type))).toEqual([
      'Let me check',
      'tool-call',
      'Done',
      'usage',
      'finish',
    ])
  })

  it('buffers text and reasoning separately, never mixing them', async () => {
    const { now, parts } = timed([
      [1, rd('Think')],
      [2, rd('ing. ')],
      [3, td('Ans')],
      [4, td('wer. ')],
      [5, { type: 'finish', reason: 'stop' }],
    ])
    const items = tokens((await collect(streamTokens(parts, { now, buffer: 'word' }))).values)
    expect(items.map((e) => [e.channel, e.text])).toEqual([
      ['reasoning', 'Thinking. '],
      ['text', 'Answer. '],
    ])
  })

  it('on an error, delivers the buffered partial text and then throws', async () => {
    const failure = new StreamError('interrupted', 'dropped')
    const { now, parts } = timed(
      [
        [1, td('A partial sen')],
        [2, td('tence')],
      ],
      failure,
    )
    const { values, error } = await collect(streamTokens(parts, { now, buffer: 'sentence' }))
    expect(tokens(values).map((e) => e.text)).toEqual(['A partial sentence'])
    expect(error).toBe(failure)
  })

  it('counts each delta once: unit token counts add up to the deltas', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', ' ', '.', '\n', '你') }), {
          maxLength: 30,
        }),
        fc.constantFrom('none', 'char', 'word', 'sentence', 'line', { tokens: 4 }) as fc.Arbitrary<
          StreamTokensOptions['buffer']
        >,
        async (deltas, buffer) => {
          const { now, parts } = timed(deltas.map((d, i) => [i, td(d)]))
          const events = tokens((await collect(streamTokens(parts, { now, buffer }))).values)
          expect(events.map((e) => e.text).join('')).toBe(deltas.join(''))
          expect(events.reduce((sum, e) => sum + e.tokens, 0)).toBe(deltas.length)
          expect(events.at(-1)?.progress.tokens ?? 0).toBe(deltas.length)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('streamTokens rate limit', () => {
  it('delays tokens to the rate without dropping, merging or reordering them', async () => {
    vi.useFakeTimers()
    const { parts } = timed(Array.from({ length: 20 }, (_, i) => [0, td(String(i))] as [number, StreamPart]))
    // The pipeline's clock follows the fake timers.
    const iterator = streamTokens(parts, { now: () => Date.now(), rateLimit: 10 })
    const start = Date.now()
    const seen: Array<[string, number]> = []
    const done = (async () => {
      for await (const item of iterator) if (item.type === 'token') seen.push([item.text, Date.now() - start])
    })()
    await vi.advanceTimersByTimeAsync(5000)
    await done
    expect(seen.map(([text]) => text)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)))
    // 10 tokens/s with a one-token burst: token i goes out at about i × 100 ms.
    expect(seen.at(-1)?.[1]).toBeGreaterThanOrEqual(1800)
    expect(seen.at(-1)?.[1]).toBeLessThanOrEqual(2000)
  })

  it('stops waiting at once on abort, delivers what is held, then throws kind aborted', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const { parts } = timed(Array.from({ length: 10 }, (_, i) => [0, td(`${i} `)] as [number, StreamPart]))
    const seen: string[] = []
    const done = collect(
      (async function* () {
        for await (const item of streamTokens(parts, {
          now: () => Date.now(),
          rateLimit: 1,
          signal: controller.signal,
        })) {
          if (item.type === 'token') seen.push(item.text)
          yield item
        }
      })(),
    )
    await vi.advanceTimersByTimeAsync(2500)
    const before = seen.length
    controller.abort()
    const { error } = await done
    expect(before).toBeLessThan(5)
    expect(seen.join('')).toBe('0 1 2 3 4 5 6 7 8 9 '.slice(0, seen.join('').length))
    expect(seen.length).toBeGreaterThan(before)
    expect(errorSummary(error)).toMatchObject({ kind: 'aborted' })
  })
})

describe('collectResult', () => {
  it('aggregates text, reasoning, tool calls, finish, usage and metrics', async () => {
    const { now, parts } = timed([
      [0, { type: 'start', messageId: 'm1', model: 'sim' }],
      [100, rd('hmm')],
      [150, td('Hi')],
      [200, td(' there')],
      [210, { type: 'tool-call', index: 0, id: 'c1', name: 'lookup', args: { q: 'x' } }],
      [220, { type: 'usage', inputTokens: 5, outputTokens: 9 }],
      [230, { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' }],
    ])
    expect(await collectResult(streamTokens(parts, { now, startedAt: 0 }))).toEqual({
      parts: [
        { type: 'reasoning', text: 'hmm' },
        { type: 'text', text: 'Hi there' },
        { type: 'tool', toolCallId: 'c1', name: 'lookup', state: 'input-available', input: { q: 'x' } },
      ],
      text: 'Hi there',
      reasoning: 'hmm',
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_calls',
      usage: { inputTokens: 5, outputTokens: 9 },
      messageId: 'm1',
      model: 'sim',
      tokens: 9,
      ttftMs: 100,
      durationMs: 200,
      // Usage wins: nine tokens, the first excluded, from the first token (100) to the last (200).
      tokensPerSecond: 80,
    })
  })
})
