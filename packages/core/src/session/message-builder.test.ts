import { describe, expect, it } from 'vitest'
import type { StreamProgress } from '../pipeline/progress.js'
import type { TokenStreamItem } from '../pipeline/stream-tokens.js'
import type { ToolPart } from './message.js'
import { MessageBuilder } from './message-builder.js'

const progress: StreamProgress = { tokens: 1, elapsedMs: 0, tokensPerSecond: 0, ttftMs: 0 }
const text = (value: string): TokenStreamItem => ({ type: 'token', channel: 'text', text: value, tokens: 1, progress })
const thought = (value: string): TokenStreamItem => ({
  type: 'token',
  channel: 'reasoning',
  text: value,
  tokens: 1,
  progress,
})
const build = (...items: TokenStreamItem[]) => {
  const builder = new MessageBuilder()
  for (const item of items) builder.add(item)
  return builder
}

describe('MessageBuilder', () => {
  it('keeps text and reasoning as ordered blocks; a block end closes one and carries its metadata', () => {
    const { parts, content, reasoning } = build(
      thought('Think'),
      thought('ing.'),
      { type: 'reasoning-end', providerMetadata: { anthropic: { signature: 'sig' } } },
      // Redacted thinking: a block with no text, only its metadata.
      { type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: 'xyz' } } },
      text('Hello'),
      text(' there.'),
      { type: 'text-end' },
      text(' Again.'),
    ).snapshot()
    expect(parts).toEqual([
      { type: 'reasoning', text: 'Thinking.', providerMetadata: { anthropic: { signature: 'sig' } } },
      { type: 'reasoning', text: '', providerMetadata: { anthropic: { redactedData: 'xyz' } } },
      { type: 'text', text: 'Hello there.' },
      { type: 'text', text: ' Again.' },
    ])
    expect(content).toBe('Hello there. Again.')
    expect(reasoning).toBe('Thinking.')
  })

  it('starts a new text part after any other part, so "said X, called a tool, said Y" stays in order', () => {
    const { parts, content } = build(
      text('Let me check.'),
      { type: 'tool-call', index: 0, id: 'c1', name: 'weather', args: { city: 'Oslo' } },
      text('Sunny.'),
    ).snapshot()
    expect(parts.map((part) => part.type)).toEqual(['text', 'tool', 'text'])
    expect(content).toBe('Let me check.Sunny.')
  })

  it('streams tool arguments as a partial parse; a snapshot keeps its own copy as more arrive', () => {
    const builder = build({ type: 'tool-call-delta', index: 0, id: 'c1', name: 'weather', argsDelta: '{"city":"Os' })
    const first = builder.snapshot().parts[0] as ToolPart
    expect(first).toEqual({
      type: 'tool',
      toolCallId: 'c1',
      name: 'weather',
      state: 'input-streaming',
      input: { city: 'Os' },
    })
    builder.add({ type: 'tool-call-delta', index: 0, argsDelta: 'lo","days":2' })
    const second = builder.snapshot().parts[0] as ToolPart
    // A number is shown once it ends: 2 might be the start of 25.
    expect(second.input).toEqual({ city: 'Oslo' })
    expect(first.input).toEqual({ city: 'Os' })
    builder.add({ type: 'tool-call', index: 0, id: 'c1', name: 'weather', args: { city: 'Oslo', days: 2 } })
    expect(builder.snapshot().parts).toEqual([
      { type: 'tool', toolCallId: 'c1', name: 'weather', state: 'input-available', input: { city: 'Oslo', days: 2 } },
    ])
  })

  it('keeps a provider-executed call open until its result; an error result becomes output-error', () => {
    const builder = build(
      { type: 'tool-call', index: 0, id: 's1', name: 'web_search', args: { q: 'x' }, providerExecuted: true },
      { type: 'tool-call', index: 1, id: 's2', name: 'code', args: {}, providerExecuted: true },
    )
    expect((builder.snapshot().parts[0] as ToolPart).state).toBe('input-available')
    builder.add({ type: 'tool-result', id: 's1', name: 'web_search', result: [{ url: 'https://a.example' }] })
    builder.add({ type: 'tool-result', id: 's2', name: 'code', result: 'division by zero', isError: true })
    expect(builder.snapshot().parts).toEqual([
      expect.objectContaining({
        state: 'output-available',
        output: [{ url: 'https://a.example' }],
        providerExecuted: true,
      }),
      expect.objectContaining({ state: 'output-error', errorText: 'division by zero', providerExecuted: true }),
    ])
  })

  it('marks a call cut off by the token limit as an error that was never run', () => {
    const part = build(
      { type: 'tool-call-delta', index: 0, id: 'c1', name: 'write', argsDelta: '{"body":"Dear' },
      { type: 'tool-call-incomplete', index: 0, id: 'c1', name: 'write', argsText: '{"body":"Dear' },
    ).snapshot().parts[0] as ToolPart
    expect(part).toMatchObject({ state: 'output-error', input: { body: 'Dear' } })
    expect(part.errorText).toMatch(/output token limit.*not run/)
  })

  it('gives unique ids to calls whose ids are missing or repeated', () => {
    const taken = new Set(['c1'])
    const builder = new MessageBuilder({ takenIds: taken })
    builder.add({ type: 'tool-call', index: 0, id: 'c1', name: 'a', args: {} })
    builder.add({ type: 'tool-call', index: 1, id: '', name: 'b', args: {} })
    builder.add({ type: 'tool-call', index: 2, id: '', name: 'c', args: {} })
    const ids = builder.snapshot().parts.map((part) => (part as ToolPart).toolCallId)
    expect(new Set([...ids, 'c1']).size).toBe(4)
    expect(ids.every((id) => /^[\w-]+$/.test(id))).toBe(true)
    expect([...taken]).toEqual(expect.arrayContaining(ids))
  })

  it('adds sources, files (a final file replaces its preview), data and step boundaries', () => {
    const { parts } = build(
      { type: 'step-start' }, // none before the first part
      { type: 'source', id: 's', url: 'https://a.example', title: 'A' },
      { type: 'file', id: 'img', mediaType: 'image/png', url: 'data:image/png;base64,AA', partial: true },
      { type: 'file', id: 'img', mediaType: 'image/png', url: 'data:image/png;base64,AAAA' },
      { type: 'data', name: 'status', id: 'x', data: 1 },
      { type: 'data', name: 'status', id: 'x', data: 2 },
      { type: 'data', name: 'ping', data: 0, transient: true },
      { type: 'step-start' },
      { type: 'step-start' },
      text('Done'),
    ).snapshot()
    expect(parts).toEqual([
      { type: 'source', id: 's', url: 'https://a.example', title: 'A' },
      { type: 'file', id: 'img', mediaType: 'image/png', url: 'data:image/png;base64,AAAA' },
      { type: 'data', name: 'status', id: 'x', data: 2 },
      { type: 'step-start' },
      { type: 'text', text: 'Done' },
    ])
  })

  it('sets text from a later step off by a blank line in content, and joins text within a step as it came', () => {
    const builder = build(
      text('Let me check.'),
      { type: 'tool-call', index: 0, id: 'c', name: 'f', args: {} },
      text(' Still step one.'),
      { type: 'step-start' },
      text('It is 18°C.'),
    )
    expect(builder.snapshot().content).toBe('Let me check. Still step one.\n\nIt is 18°C.')
    const resumed = new MessageBuilder({ from: builder.snapshot() })
    resumed.add({ type: 'step-start' })
    resumed.add(text('Anything else?'))
    expect(resumed.snapshot().content).toBe('Let me check. Still step one.\n\nIt is 18°C.\n\nAnything else?')
  })

  it('returns the same snapshot until something changes, and shares the parts that did not', () => {
    const builder = build(text('a'), { type: 'tool-call', index: 0, id: 'c', name: 'f', args: {} }, text('b'))
    const first = builder.snapshot()
    expect(builder.snapshot()).toBe(first)
    builder.add(text('c'))
    const second = builder.snapshot()
    expect(second).not.toBe(first)
    expect(second.parts[0]).toBe(first.parts[0])
    expect(second.parts[1]).toBe(first.parts[1])
    expect(second.parts[2]).toEqual({ type: 'text', text: 'bc' })
    expect(first.parts[2]).toEqual({ type: 'text', text: 'b' })
  })

  it('adds usage up over steps and takes progress from usage and finish', () => {
    const builder = build(text('a'), {
      type: 'usage',
      inputTokens: 10,
      outputTokens: 3,
      progress: { ...progress, tokens: 3 },
    })
    builder.startStep()
    builder.add(text('b'))
    builder.add({ type: 'usage', inputTokens: 20, outputTokens: 4, progress: { ...progress, tokens: 4 } })
    builder.add({ type: 'finish', reason: 'stop', progress: { ...progress, tokens: 4, percent: 100 } })
    expect(builder.snapshot()).toMatchObject({ usage: { inputTokens: 30, outputTokens: 7 }, finishReason: 'stop' })
    expect(builder.progress?.percent).toBe(100)
    expect(builder.stepCount).toBe(2)
  })
})
