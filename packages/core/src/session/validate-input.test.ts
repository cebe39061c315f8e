import { describe, expect, it } from 'vitest'
import { validateInput } from './validate-input.js'

const schema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    days: { type: 'integer' },
    unit: { enum: ['c', 'f'] },
    stops: { type: 'array', items: { type: 'object', required: ['name'] } },
  },
  required: ['city'],
}

describe('validateInput', () => {
  it('accepts input the schema allows', () => {
    expect(validateInput(schema, { city: 'Oslo', days: 2, unit: 'c', stops: [{ name: 'a' }] })).toBeUndefined()
    expect(validateInput({}, 'anything')).toBeUndefined()
  })

  it('says what is wrong: type, required, enum, nested items', () => {
    expect(validateInput(schema, 'Oslo')).toBe('the input must be an object, not the string "Oslo"')
    expect(validateInput(schema, {})).toBe('`city` is required')
    expect(validateInput(schema, { city: 'Oslo', days: 1.5 })).toBe('`days` must be an integer, not number 1.5')
    expect(validateInput(schema, { city: 'Oslo', unit: 'k' })).toBe('`unit` must be one of "c", "f"')
    expect(validateInput(schema, { city: 'Oslo', stops: [{}] })).toBe('`stops[0].name` is required')
    expect(validateInput({ type: ['string', 'null'] }, 3)).toBe('the input must be a string or null, not number 3')
  })
})
