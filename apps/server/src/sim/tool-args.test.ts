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

  it('gives an object whatever the schema says', () => {
    expect(argsFromSchema(undefined, createRandom(1), '')).toEqual({})
    expect(argsFromSchema({ type: 'string' }, createRandom(1), '')).toEqual({})
  })
})
