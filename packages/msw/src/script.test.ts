import { describe, expect, it } from 'vitest'
import { scriptParts } from './script.js'

describe('scriptParts', () => {
  it('streams reasoning, then text, then tool calls, then usage and finish', () => {
    expect(
      scriptParts({
        id: 'msg_1',
        model: 'm',
        reasoning: ['Hm', '.'],
        text: ['Let', ' me', ' check'],
        toolCalls: [{ name: 'search', args: { q: 'x' } }],
      }),
    ).toEqual([
      { type: 'start', messageId: 'msg_1', model: 'm' },
      { type: 'reasoning-delta', text: 'Hm' },
      { type: 'reasoning-delta', text: '.' },
      { type: 'text-delta', text: 'Let' },
      { type: 'text-delta', text: ' me' },
      { type: 'text-delta', text: ' check' },
      { type: 'tool-call-delta', index: 0, id: 'call_0', name: 'search', argsDelta: '{"' },
      { type: 'tool-call-delta', index: 0, argsDelta: 'q' },
      { type: 'tool-call-delta', index: 0, argsDelta: '":"' },
      { type: 'tool-call-delta', index: 0, argsDelta: 'x' },
      { type: 'tool-call-delta', index: 0, argsDelta: '"}' },
      { type: 'tool-call', index: 0, id: 'call_0', name: 'search', args: { q: 'x' } },
      { type: 'usage', outputTokens: 10, reasoningTokens: 2 },
      { type: 'finish', reason: 'tool-calls' },
    ])
  })

  it('cuts a text string into tokens and keeps an array as given (empty tokens dropped)', () => {
    const text = (parts: ReturnType<typeof scriptParts>) =>
      parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []))
    expect(text(scriptParts({ text: 'Hello, world' }))).toEqual(['Hello', ',', ' world'])
    expect(text(scriptParts({ text: ['Hel', '', 'lo'] }))).toEqual(['Hel', 'lo'])
  })

  it('reports the prompt size early (where Anthropic does) and counts output unless told', () => {
    const usage = (script: Parameters<typeof scriptParts>[0]) =>
      scriptParts(script).filter((part) => part.type === 'usage')
    expect(usage({ text: ['a', 'b'], usage: { inputTokens: 9 } })).toEqual([
      { type: 'usage', inputTokens: 9 },
      { type: 'usage', inputTokens: 9, outputTokens: 2 },
    ])
    expect(usage({ text: ['a'], usage: { outputTokens: 40, reasoningTokens: 30 } })).toEqual([
      { type: 'usage', outputTokens: 40, reasoningTokens: 30 },
    ])
    expect(usage({ text: ['a'], usage: false })).toEqual([])
    expect(usage({})).toEqual([{ type: 'usage', outputTokens: 0 }])
  })

  it('ends with the finish reason given, or stop', () => {
    expect(scriptParts({ text: 'x', finishReason: 'length' }).at(-1)).toEqual({ type: 'finish', reason: 'length' })
    expect(scriptParts().at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('gives tool calls their own ids, and arguments as JSON reads them back', () => {
    const parts = scriptParts({
      toolCalls: [{ name: 'a', id: 'toolu_1', args: { when: undefined, n: 1 } }, { name: 'b' }],
    })
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'toolu_1', name: 'a', args: { n: 1 } },
      { type: 'tool-call', index: 1, id: 'call_1', name: 'b', args: {} },
    ])
  })
})
