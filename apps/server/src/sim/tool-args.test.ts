import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createRandom } from './random.js'
import { argsFromSchema } from './tool-args.js'

type JsonSchema = Parameters<typeof z.fromJSONSchema>[0]

const schemas: Record<string, JsonSchema> = {
  flat: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 14 },
      ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      verbose: { type: 'boolean' },
    },
    required: ['city', 'unit', 'days', 'ratio'],
    additionalProperties: false,
  },
  nested: {
    type: 'object',
    properties: {
      user: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 2, maxLength: 12 },
          email: { type: 'string', format: 'email' },
          tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 3 },
        },
        required: ['name', 'email', 'tags'],
      },
      when: { type: 'string', format: 'date-time' },
      id: { type: 'string', format: 'uuid' },
      count: { type: 'integer', multipleOf: 5, minimum: 10, maximum: 50 },
    },
    required: ['user', 'when', 'id', 'count'],
  },
  strictMode: {
    type: 'object',
    properties: {
      query: { type: 'string' },
      limit: { type: ['integer', 'null'] },
      mode: { anyOf: [{ type: 'string', const: 'fast' }, { type: 'null' }] },
      items: { type: 'array', items: { $ref: '#/$defs/item' } },
    },
    required: ['query', 'limit', 'mode', 'items'],
    additionalProperties: false,
    $defs: {
      item: {
        type: 'object',
        properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
        required: ['sku', 'qty'],
        additionalProperties: false,
      },
    },
  },
  empty: { type: 'object', properties: {} },
}

describe('argsFromSchema', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`generates arguments that fit the ${name} schema, for every seed`, () => {
      const validator = z.fromJSONSchema(schema)
      for (let seed = 0; seed < 100; seed++) {
        const args = argsFromSchema(schema, createRandom(seed), 'Book a table in Lisbon for friday')
        expect(() => validator.parse(args), JSON.stringify(args)).not.toThrow()
      }
    })
  }

  it('fills free-text and place fields from the prompt and the field name', () => {
    const args = argsFromSchema(
      {
        type: 'object',
        properties: { query: { type: 'string' }, location: { type: 'string' } },
        required: ['query', 'location'],
      },
      createRandom(4),
      'best ramen near the station',
    ) as { query: string; location: string }
    expect('best ramen near the station').toContain(args.query)
    expect(args.location).toMatch(/^[A-Z]/)
  })

  it('takes the place, the enum value and the numbers the prompt names, numbers in order and within bounds', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        operation: { type: 'string', enum: ['add', 'subtract', 'multiply', 'divide'] },
        a: { type: 'number' },
        b: { type: 'integer', maximum: 10 },
      },
      required: ['city', 'unit', 'operation', 'a', 'b'],
    }
    for (let seed = 0; seed < 20; seed++) {
      const args = argsFromSchema(schema, createRandom(seed), 'In Oslo, in Fahrenheit: multiply 2.5 by 120 and 7')
      expect(args).toEqual({ city: 'Oslo', unit: 'fahrenheit', operation: 'multiply', a: 2.5, b: 7 })
    }
  })

  it('gives an object whatever the schema says', () => {
    expect(argsFromSchema(undefined, createRandom(1), '')).toEqual({})
    expect(argsFromSchema({ type: 'string' }, createRandom(1), '')).toEqual({})
  })
})

describe('argsFromSchema bounds its work whatever the schema says', () => {
  const self = {
    type: 'object',
    properties: { node: { $ref: '#/$defs/node' } },
    required: ['node'],
    $defs: { node: { anyOf: [{ $ref: '#/$defs/node' }, { allOf: [{ $ref: '#/$defs/node' }] }] } },
  }

  it('ends a schema that refers to itself through anyOf, allOf and $ref', () => {
    const args = argsFromSchema(self, createRandom(1), 'hi')
    expect(args).toEqual({ node: null })
    expect(JSON.stringify(self).length).toBeLessThan(300)
  })

  it('gives no arguments when a string must be longer than the tokens left', () => {
    const schema = { type: 'object', properties: { text: { type: 'string', minLength: 200_000 } }, required: ['text'] }
    expect(argsFromSchema(schema, createRandom(1), 'hi')).toBeUndefined()
    expect(argsFromSchema(schema, createRandom(1), 'hi', { maxTokens: 100_000 })).toMatchObject({
      text: expect.any(String),
    })
  })

  it('pads to minLength in code points, linearly', () => {
    const schema = { type: 'object', properties: { q: { type: 'string', minLength: 5000, maxLength: 5001 } } }
    const args = argsFromSchema({ ...schema, required: ['q'] }, createRandom(3), 'x') as { q: string }
    expect([...args.q].length).toBeGreaterThanOrEqual(5000)
    expect([...args.q].length).toBeLessThanOrEqual(5001)
  })

  it('gives no arguments when minItems and nesting multiply past the budget', () => {
    const level = (items: object) => ({ type: 'array', minItems: 1000, items })
    const schema = {
      type: 'object',
      properties: { rows: level(level(level({ type: 'string', minLength: 50 }))) },
      required: ['rows'],
    }
    expect(argsFromSchema(schema, createRandom(1), 'hi')).toBeUndefined()
    expect(
      argsFromSchema({ ...schema, properties: { rows: { ...level({}), minItems: 1e9 } } }, createRandom(1), 'hi'),
    ).toBeUndefined()
  })

  it('keeps what it generates within the token cap', () => {
    // Every property refers back to the root: a tree that would be 10^6 nodes deep down.
    const properties = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, { $ref: '#/$defs/tree' }]))
    const schema = {
      type: 'object',
      properties,
      required: Object.keys(properties),
      $defs: { tree: { type: 'object', properties, required: Object.keys(properties) } },
    }
    for (const maxTokens of [50, 500, 5000]) {
      const args = argsFromSchema(schema, createRandom(2), 'hi', { maxTokens })
      if (args !== undefined) expect(JSON.stringify(args).length).toBeLessThanOrEqual(maxTokens * 10)
    }
    expect(argsFromSchema(schema, createRandom(2), 'hi', { maxTokens: 50 })).toBeUndefined()
  })
})
