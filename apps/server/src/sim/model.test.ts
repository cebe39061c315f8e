import type { StreamPart } from '@rivulet/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type AnswerPlan,
  MAX_ARGS_TOKENS,
  type PlayOptions,
  planAnswer,
  playAnswer,
  type SimEvent,
  type SimRequest,
} from './model.js'
import { DEFAULT_SIMULATION } from './options.js'

const request = (content: string, extra: Partial<SimRequest> = {}): SimRequest => ({
  messages: [{ role: 'user', content }],
  tools: [],
  toolChoice: 'auto',
  parallelToolCalls: true,
  reasoning: false,
  toolCallPrefix: 'call_',
  ...extra,
})

const textOf = (plan: AnswerPlan) => plan.text.join('')

describe('planAnswer', () => {
  it('counts tool arguments against the output cap: a schema asking for more ends the answer with length', () => {
    const tools = [
      {
        name: 'write',
        parameters: {
          type: 'object',
          properties: { text: { type: 'string', minLength: 200_000 } },
          required: ['text'],
        },
      },
    ]
    for (const maxTokens of [undefined, 1000]) {
      const plan = planAnswer(request('write it', { tools, toolChoice: 'required', ...(maxTokens && { maxTokens }) }))
      expect(plan.toolCalls).toEqual([])
      expect(plan.finish).toBe('length')
      expect(plan.outputTokens).toBeLessThanOrEqual(maxTokens ?? MAX_ARGS_TOKENS)
    }
  })

  it('answers the same conversation the same way, and another one differently', () => {
    const a = planAnswer(request('How do I cache API responses?'))
    expect(planAnswer(request('How do I cache API responses?'))).toEqual(a)
    expect(textOf(planAnswer(request('How do I cache API responses?'), { seed: 1 }))).not.toBe(textOf(a))
    expect(textOf(planAnswer(request('What is a monad?')))).not.toBe(textOf(a))
  })

  it('writes varied markdown across seeds: paragraphs, lists, code, headings, tables', () => {
    const answers = Array.from({ length: 40 }, (_, seed) =>
      textOf(planAnswer(request('Explain streaming in Node'), { seed })),
    )
    const all = answers.join('\n')
    expect(all).toMatch(/^- \*\*/m)
    expect(all).toMatch(/^1\. /m)
    expect(all).toMatch(/^```(ts|tsx|python|bash|json|sql)$/m)
    expect(all).toMatch(/^## /m)
    expect(all).toMatch(/^\| Option \|/m)
    expect(new Set(answers).size).toBe(40)
    for (const answer of answers) {
      // Code fences always close when the answer runs to its natural end.
      expect((answer.match(/^```/gm) ?? []).length % 2).toBe(0)
      expect(answer.toLowerCase()).toContain('streaming in node')
    }
  })

  it('writes exactly the requested number of tokens, and counts them all in usage', () => {
    for (const tokens of [0, 1, 17, 250]) {
      const plan = planAnswer(request('hi'), { tokens })
      expect(plan.text).toHaveLength(tokens)
      expect(plan.outputTokens).toBe(tokens)
      expect(plan.finish).toBe('stop')
    }
  })

  it('cuts at max tokens with finish length, reasoning included in the count', () => {
    const plan = planAnswer(request('hi', { maxTokens: 30, reasoning: true }), { tokens: 100 })
    expect(plan.reasoning.length).toBeGreaterThan(0)
    expect(plan.reasoning.length + plan.text.length).toBe(30)
    expect(plan.outputTokens).toBe(30)
    expect(plan.finish).toBe('length')
  })

  it('keeps reasoning within its budget', () => {
    const plan = planAnswer(request('hi', { reasoning: true, reasoningBudget: 5 }))
    expect(plan.reasoning).toHaveLength(5)
  })

  it('calls the tool the prompt is about, and leaves out a call that would not fit whole', () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      {
        name: 'send_email',
        description: 'Send an email',
        parameters: { type: 'object', properties: { to: { type: 'string', format: 'email' } }, required: ['to'] },
      },
    ]
    const plan = planAnswer(request('What is the weather in Paris?', { tools, parallelToolCalls: false }))
    expect(plan.finish).toBe('tool-calls')
    expect(plan.toolCalls.map((call) => call.name)).toEqual(['get_weather'])
    expect(plan.toolCalls[0]?.pieces.join('')).toBe(JSON.stringify(plan.toolCalls[0]?.args))
    expect(plan.toolCalls[0]?.id).toMatch(/^call_[A-Za-z0-9]{24}$/)

    const cut = planAnswer(request('What is the weather in Paris?', { tools, maxTokens: 3 }), { seed: 2 })
    expect(cut.toolCalls).toEqual([])
    expect(cut.finish).toBe('length')

    // With `auto`, a prompt no tool is about gets a text answer; `required` still calls one.
    // "the" and "for" are in the weather tool's description too: stop words do not count.
    const unrelated = planAnswer(request('What is the best format for logs?', { tools }))
    expect(unrelated.toolCalls).toEqual([])
    expect(unrelated.finish).toBe('stop')
    const required = planAnswer(request('How do I stream tokens into React?', { tools, toolChoice: 'required' }))
    expect(required.toolCalls).toHaveLength(1)

    const none = planAnswer(request('What is the weather in Paris?', { tools, toolChoice: 'none' }))
    expect(none.toolCalls).toEqual([])
    const named = planAnswer(request('What is the weather in Paris?', { tools, toolChoice: { name: 'send_email' } }))
    expect(named.toolCalls.map((call) => call.name)).toEqual(['send_email'])
  })

  it('answers a tool result with text that quotes its values and says what was asked', () => {
    const plan = planAnswer(
      request('x', {
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Oslo' } }],
          },
          { role: 'tool', content: '{"temperature":4,"sky":"snow"}', toolCallId: 'call_1' },
        ],
        tools: [{ name: 'get_weather' }],
      }),
    )
    expect(plan.toolCalls).toEqual([])
    expect(plan.finish).toBe('stop')
    expect(textOf(plan)).toMatch(/^Here is the weather in Oslo: temperature 4, sky snow\./)
  })

  it('answers each of several results, a plain value as it is', () => {
    const plan = planAnswer(
      request('x', {
        messages: [
          { role: 'user', content: 'Weather in Oslo, and 6 times 7?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [
              { id: 'a', name: 'get_weather', args: { city: 'Oslo' } },
              { id: 'b', name: 'calculate', args: { expression: '6 * 7' } },
            ],
          },
          { role: 'tool', content: '"sunny"', toolCallId: 'a' },
          { role: 'tool', content: '42', toolCallId: 'b' },
        ],
      }),
    )
    expect(textOf(plan)).toMatch(
      /^The weather in Oslo is sunny\. The result of `calculate` \(expression 6 \* 7\) is 42\./,
    )
  })

  it('says a tool failed and why, flagged (Anthropic) or worded as an error (Chat Completions)', () => {
    const conversation = (result: SimRequest['messages'][number]) =>
      request('x', {
        messages: [
          { role: 'user', content: 'Weather in Atlantis?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'get_weather', args: { city: 'Atlantis' } }] },
          result,
        ],
      })
    const flagged = planAnswer(conversation({ role: 'tool', content: 'No such city', toolCallId: 'c', isError: true }))
    expect(textOf(flagged)).toMatch(/^I could not get the weather in Atlantis: `get_weather` failed \(No such city\)\./)
    const worded = planAnswer(conversation({ role: 'tool', content: 'Error: the service is down', toolCallId: 'c' }))
    expect(textOf(worded)).toContain('`get_weather` failed (Error: the service is down)')
    const json = planAnswer(conversation({ role: 'tool', content: '{"error":{"message":"quota"}}', toolCallId: 'c' }))
    expect(textOf(json)).toContain('failed (quota)')
  })

  it('runs a web search of its own when asked: the call and result, then sources before the sentences citing them', () => {
    const plan = planAnswer(request('How do tides work?', { toolCallPrefix: 'toolu_' }), {
      webSearch: true,
      tokens: 60,
    })
    expect(plan.prelude.map((part) => part.type)).toEqual(['tool-call', 'tool-result'])
    const [call, result] = plan.prelude
    expect(call).toMatchObject({ name: 'web_search', providerExecuted: true, id: expect.stringMatching(/^srvtoolu_/) })
    expect(result).toMatchObject({
      name: 'web_search',
      providerExecuted: true,
      id: call?.type === 'tool-call' && call.id,
    })
    const results = result?.type === 'tool-result' ? (result.result as { url: string; title: string }[]) : []
    expect(results).toHaveLength(3)
    expect(plan.inserts.map(({ part }) => part.type)).toEqual(['source', 'source', 'source'])
    const text = plan.text.toArray()
    for (const [i, { at, part }] of plan.inserts.entries()) {
      expect(part).toMatchObject({ url: results[i]?.url, title: results[i]?.title })
      // The sentence after the source names it.
      expect(text.slice(at, at + 12).join('')).toContain(results[i]?.title)
    }
    // Sources and the search are not tokens.
    expect(plan.outputTokens).toBe(60)
  })

  it('draws an image when asked: a PNG data URL after the sentence announcing it', () => {
    const plan = planAnswer(request('Draw a lighthouse'), { image: true })
    const [insert] = plan.inserts
    expect(insert?.part).toMatchObject({ type: 'file', mediaType: 'image/png' })
    const url = insert?.part.type === 'file' ? insert.part.url : ''
    const png = Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64')
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(png.length).toBeLessThan(4096)
    expect(plan.text.toArray().slice(0, insert?.at).join('')).toMatch(/^Here is a picture of .+:$/)
  })

  it('says it saw the files the user attached', () => {
    const plan = planAnswer(
      request('x', { messages: [{ role: 'user', content: 'What is this?', files: ['image/png'] }] }),
    )
    expect(textOf(plan)).toMatch(/^I looked at the image you attached \(image\/png\)\./)
  })
})

describe('playAnswer', () => {
  afterEach(() => vi.useRealTimers())

  /** Plays with fake timers, recording when each event came out. */
  async function play(plan: AnswerPlan, simulation: PlayOptions['simulation'], signal = new AbortController().signal) {
    vi.useFakeTimers()
    const startedAt = Date.now()
    const events: { at: number; event: SimEvent }[] = []
    const run = playAnswer(plan, {
      simulation,
      defaults: DEFAULT_SIMULATION,
      messageId: 'm1',
      model: 'rivulet-sim',
      signal,
      now: () => Date.now(),
      emit: (event) => events.push({ at: Date.now() - startedAt, event }),
    })
    await vi.runAllTimersAsync()
    await run
    return events
  }

  const tokenTimes = (events: { at: number; event: SimEvent }[]) =>
    events
      .filter(
        ({ event }) =>
          event.type === 'part' && (event.part.type === 'text-delta' || event.part.type === 'reasoning-delta'),
      )
      .map(({ at }) => at)

  it('waits the TTFT, then paces tokens at the requested rate', async () => {
    const plan = planAnswer(request('hi'), { tokens: 10 })
    const events = await play(plan, { ttftMs: 300, tokensPerSecond: 50, jitter: 0, burstiness: 0 })
    expect(tokenTimes(events)).toEqual([300, 320, 340, 360, 380, 400, 420, 440, 460, 480])
    const parts = events.map(({ event }) => (event as { part: StreamPart }).part)
    expect(parts[0]).toEqual({ type: 'start', messageId: 'm1', model: 'rivulet-sim' })
    expect(parts.at(-2)).toMatchObject({ type: 'usage', outputTokens: 10 })
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('keeps the average rate through jitter and bursts', async () => {
    const plan = planAnswer(request('hi'), { tokens: 200 })
    const times = tokenTimes(await play(plan, { ttftMs: 0, tokensPerSecond: 100, jitter: 0.5, burstiness: 0.5 }))
    const gaps = times.slice(1).map((at, i) => at - (times[i] as number))
    expect(gaps.filter((gap) => gap === 0).length).toBeGreaterThan(20) // bursts
    expect(Math.max(...gaps)).toBeGreaterThan(15) // pauses after them
    expect((times.at(-1) as number) / 199).toBeGreaterThan(8)
    expect((times.at(-1) as number) / 199).toBeLessThan(12)
  })

  it('stalls after N tokens, then goes on at the same pace', async () => {
    const plan = planAnswer(request('hi'), { tokens: 6 })
    const times = tokenTimes(
      await play(plan, {
        ttftMs: 0,
        tokensPerSecond: 100,
        jitter: 0,
        burstiness: 0,
        fault: { type: 'stall', afterTokens: 3, ms: 500 },
      }),
    )
    expect(times).toEqual([0, 10, 20, 530, 540, 550])
  })

  it('yields a fault after N tokens; a provider error ends the answer there', async () => {
    const plan = planAnswer(request('hi'), { tokens: 10 })
    const events = await play(plan, {
      ttftMs: 0,
      tokensPerSecond: 0,
      fault: { type: 'provider-error', afterTokens: 4 },
    })
    const kinds = events.map(({ event }) => (event.type === 'part' ? event.part.type : `fault:${event.fault}`))
    expect(kinds).toEqual(['start', 'usage', ...Array(4).fill('text-delta'), 'fault:provider-error'])
  })

  it('a fault set past the end happens before the finish', async () => {
    const plan = planAnswer(request('hi'), { tokens: 3 })
    const events = await play(plan, { ttftMs: 0, tokensPerSecond: 0, fault: { type: 'drop', afterTokens: 99 } })
    const kinds = events.map(({ event }) => (event.type === 'part' ? event.part.type : `fault:${event.fault}`))
    expect(kinds.slice(-3)).toEqual(['fault:drop', 'usage', 'finish'])
  })

  it('rejects as soon as it is aborted, even in the middle of a wait, and emits nothing more', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const plan = planAnswer(request('hi'), { tokens: 100 })
    const emitted: SimEvent[] = []
    const waiting = playAnswer(plan, {
      simulation: { ttftMs: 60_000 },
      defaults: DEFAULT_SIMULATION,
      messageId: 'm',
      model: 'rivulet-sim',
      signal: controller.signal,
      now: () => Date.now(),
      emit: (event) => emitted.push(event),
    })
    await vi.advanceTimersByTimeAsync(1000)
    expect(emitted.map((event) => event.type === 'part' && event.part.type)).toEqual(['start', 'usage'])
    controller.abort(new Error('gone'))
    await expect(waiting).rejects.toThrow('gone')
    await vi.runAllTimersAsync()
    expect(emitted).toHaveLength(2)
  })
})
