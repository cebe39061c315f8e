import { describe, expect, it } from 'vitest'
import type { FinishReason } from '../types.js'
import { finishPart, isTokenCount, openaiUsagePart, rawFinish, toJSONText } from './protocol.js'

const TABLE: Readonly<Record<string, FinishReason>> = { stop: 'stop', length: 'length' }

describe('shared decoder helpers against hostile values', () => {
  it('maps finish words named after Object.prototype members to other, the word kept', () => {
    for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(finishPart(word, TABLE)).toEqual({ type: 'finish', reason: 'other', raw: word })
    }
    expect(finishPart('length', TABLE)).toEqual({ type: 'finish', reason: 'length', raw: 'length' })
  })

  it("writes back only a table's own words", () => {
    const inherited = Object.assign(Object.create({ inherited: 'stop' }), { own: 'length' })
    expect(rawFinish({ reason: 'stop' }, inherited, 'fallback')).toBe('fallback')
    expect(rawFinish({ reason: 'length' }, inherited, 'fallback')).toBe('own')
  })

  it('takes only finite numbers as token counts', () => {
    expect([1, 0, Number.POSITIVE_INFINITY, Number.NaN, '3', null].map(isTokenCount)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ])
    const usage = openaiUsagePart(
      {
        prompt_tokens: JSON.parse('1e400'),
        completion_tokens: 2,
        completion_tokens_details: { reasoning_tokens: Number.NaN },
      },
      'prompt_tokens',
      'completion_tokens',
    )
    expect(usage).toEqual({ type: 'usage', outputTokens: 2 })
  })

  it('throws kind parse for a value nested too deeply to write as JSON', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`)
    expect(() => toJSONText(deep, 'tool call arguments')).toThrow(
      expect.objectContaining({ kind: 'parse', message: expect.stringMatching(/nested too deeply/) }),
    )
    expect(toJSONText({ a: [1] }, 'x')).toBe('{"a":[1]}')
  })
})
