/**
 * Tool-call arguments generated from the tool's JSON Schema: every required property, some
 * optional ones, values of the declared type that keep `enum`, `const`, bounds, lengths and
 * `format`, and words from the prompt where a string is free text. Covers the JSON Schema
 * subset tool definitions use (OpenAI strict mode, Anthropic `input_schema`); `$ref` is
 * followed into `$defs` / `definitions` of the same schema.
 */
import type { Random } from './random.js'

type Schema = Record<string, unknown>

const MAX_DEPTH = 6

const CITIES = ['Paris', 'Tokyo', 'Lisbon', 'Nairobi', 'Montreal', 'Seoul', 'Buenos Aires', 'Oslo']
const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Linus Torvalds']
const WORDS = ['alpha', 'river', 'stream', 'token', 'signal', 'harbor', 'meadow', 'pixel']

export function argsFromSchema(schema: unknown, random: Random, prompt: string): unknown {
  const root = isSchema(schema) ? schema : { type: 'object' }
  const value = generate(root, { root, random, prompt, depth: 0 }, '')
  // A tool's arguments are always an object.
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}
}

interface Context {
  root: Schema
  random: Random
  prompt: string
  depth: number
}

function generate(schema: Schema, context: Context, name: string): unknown {
  const { random } = context
  if (context.depth > MAX_DEPTH) return null
  const resolved = resolveRef(schema, context.root)
  if ('const' in resolved) return resolved.const
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) return random.pick(resolved.enum)
  const choices = (resolved.anyOf ?? resolved.oneOf) as unknown
  if (Array.isArray(choices) && choices.length > 0) {
    // Prefer a branch that is not `null`: an argument is more useful with a value.
    const branches = choices.filter(isSchema)
    const useful = branches.filter((branch) => branch.type !== 'null')
    const branch = random.pick(useful.length > 0 ? useful : branches)
    if (branch) return generate({ ...withoutKeys(resolved, ['anyOf', 'oneOf']), ...branch }, context, name)
  }
  if (Array.isArray(resolved.allOf)) {
    const merged = resolved.allOf.filter(isSchema).reduce<Schema>((all, part) => mergeSchemas(all, part), {})
    return generate({ ...withoutKeys(resolved, ['allOf']), ...merged }, context, name)
  }
  const type = pickType(resolved, random)
  const inner = { ...context, depth: context.depth + 1 }
  switch (type) {
    case 'object':
      return object(resolved, inner)
    case 'array':
      return array(resolved, inner, name)
    case 'string':
      return string(resolved, context, name)
    case 'integer':
      return integer(resolved, random)
    case 'number':
      return number(resolved, random)
    case 'boolean':
      return random.chance(0.5)
    case 'null':
      return null
    default:
      return 'default' in resolved ? resolved.default : string(resolved, context, name)
  }
}

function pickType(schema: Schema, random: Random): string | undefined {
  const { type } = schema
  if (typeof type === 'string') return type
  if (Array.isArray(type)) {
    const types = type.filter((item): item is string => typeof item === 'string' && item !== 'null')
    return types.length > 0 ? random.pick(types) : 'null'
  }
  if (isSchema(schema.properties)) return 'object'
  if (schema.items !== undefined) return 'array'
  return undefined
}

function object(schema: Schema, context: Context): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {}
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((key) => typeof key === 'string') : [],
  )
  const out: Record<string, unknown> = {}
  for (const [key, property] of Object.entries(properties)) {
    if (!isSchema(property)) continue
    // Optional properties appear often enough to be seen, not always.
    if (!required.has(key) && !context.random.chance(0.6)) continue
    out[key] = generate(property, context, key)
  }
  return out
}

function array(schema: Schema, context: Context, name: string): unknown[] {
  const items = isSchema(schema.items) ? schema.items : { type: 'string' }
  const min = nonNegative(schema.minItems, 1)
  const max = Math.max(min, Math.min(nonNegative(schema.maxItems, min + 2), min + 3))
  const count = context.random.int(min, max)
  const out: unknown[] = []
  for (let i = 0; i < count; i++) out.push(generate(items, context, name))
  if (schema.uniqueItems === true) {
    const unique = [...new Map(out.map((item) => [JSON.stringify(item), item])).values()]
    if (unique.length >= min) return unique
  }
  return out
}

function string(schema: Schema, context: Context, name: string): string {
  const { random } = context
  if (typeof schema.default === 'string' && random.chance(0.3)) return schema.default
  const value = byFormat(schema.format, random) ?? byName(name.toLowerCase(), context)
  return fitLength(value, schema, random)
}

function byFormat(format: unknown, random: Random): string | undefined {
  switch (format) {
    case 'date-time':
      return `2025-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}T${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:00Z`
    case 'date':
      return `2025-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`
    case 'time':
      return `${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:00`
    case 'email':
      return `${random.pick(WORDS)}@example.com`
    case 'uri':
    case 'url':
      return `https://example.com/${random.pick(WORDS)}`
    case 'uuid':
      return uuid(random)
    case 'ipv4':
      return `192.0.2.${random.int(1, 254)}`
    default:
      return undefined
  }
}

function byName(name: string, context: Context): string {
  const { random } = context
  if (/city|location|place|destination|origin/.test(name)) return random.pick(CITIES)
  if (/country/.test(name)) return random.pick(['France', 'Japan', 'Portugal', 'Kenya', 'Canada'])
  if (/name|author|user/.test(name)) return random.pick(NAMES)
  if (/email/.test(name)) return `${random.pick(WORDS)}@example.com`
  if (/url|link|href/.test(name)) return `https://example.com/${random.pick(WORDS)}`
  if (/date|day/.test(name)) return `2025-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`
  if (/id$|_id|identifier/.test(name)) return `${random.pick(WORDS)}-${random.int(100, 999)}`
  if (/lang|locale/.test(name)) return random.pick(['en', 'fr', 'ja', 'pt'])
  if (/unit/.test(name)) return random.pick(['celsius', 'fahrenheit'])
  if (/query|search|question|prompt|text|message|topic|q$/.test(name)) return promptExcerpt(context.prompt, random)
  return random.pick(WORDS)
}

/** A few words of the user's message: what a model would put in a search query. */
function promptExcerpt(prompt: string, random: Random): string {
  const words = prompt.split(/\s+/).filter((word) => word.length > 0)
  if (words.length === 0) return random.pick(WORDS)
  const length = Math.min(words.length, random.int(2, 6))
  const start = random.int(0, words.length - length)
  return words
    .slice(start, start + length)
    .join(' ')
    .replace(/[?!.,;:]+$/, '')
}

function fitLength(value: string, schema: Schema, random: Random): string {
  const min = nonNegative(schema.minLength, 0)
  const max = typeof schema.maxLength === 'number' ? Math.max(min, schema.maxLength) : Number.POSITIVE_INFINITY
  let out = [...value]
  while (out.length < min) out = out.concat([...` ${random.pick(WORDS)}`])
  if (out.length > max) out = out.slice(0, max)
  return out.join('')
}

function integer(schema: Schema, random: Random): number {
  const { min, max } = bounds(schema, 1, 100)
  let low = Math.ceil(min)
  let high = Math.floor(max)
  if (high < low) high = low
  const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : 1
  if (step > 1) {
    low = Math.ceil(low / step)
    high = Math.max(low, Math.floor(high / step))
    return random.int(low, high) * step
  }
  return random.int(low, high)
}

function number(schema: Schema, random: Random): number {
  const { min, max } = bounds(schema, 0, 100)
  const value = min + random.next() * (max - min)
  return Math.min(max, Math.max(min, Math.round(value * 100) / 100))
}

function bounds(schema: Schema, fallbackMin: number, fallbackMax: number): { min: number; max: number } {
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1e-6 : undefined
  const exclusiveMax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1e-6 : undefined
  const hasMin = typeof schema.minimum === 'number' || exclusiveMin !== undefined
  const hasMax = typeof schema.maximum === 'number' || exclusiveMax !== undefined
  let min = Math.max(
    typeof schema.minimum === 'number' ? schema.minimum : Number.NEGATIVE_INFINITY,
    exclusiveMin ?? Number.NEGATIVE_INFINITY,
  )
  let max = Math.min(
    typeof schema.maximum === 'number' ? schema.maximum : Number.POSITIVE_INFINITY,
    exclusiveMax ?? Number.POSITIVE_INFINITY,
  )
  if (!hasMin) min = max >= fallbackMin ? fallbackMin : max - (fallbackMax - fallbackMin)
  if (!hasMax) max = Math.max(min, min + (fallbackMax - fallbackMin))
  return { min, max: Math.max(min, max) }
}

function resolveRef(schema: Schema, root: Schema): Schema {
  let current = schema
  for (let hops = 0; hops < MAX_DEPTH && typeof current.$ref === 'string'; hops++) {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref)
    const defs = match ? root[match[1] as string] : undefined
    const target = match && isSchema(defs) ? defs[decodeURIComponent(match[2] as string)] : undefined
    if (!isSchema(target)) return withoutKeys(current, ['$ref'])
    current = { ...withoutKeys(current, ['$ref']), ...target }
  }
  return current
}

function mergeSchemas(a: Schema, b: Schema): Schema {
  const merged: Schema = { ...a, ...b }
  if (isSchema(a.properties) && isSchema(b.properties)) merged.properties = { ...a.properties, ...b.properties }
  if (Array.isArray(a.required) && Array.isArray(b.required)) merged.required = [...a.required, ...b.required]
  return merged
}

function withoutKeys(schema: Schema, keys: readonly string[]): Schema {
  const out = { ...schema }
  for (const key of keys) delete out[key]
  return out
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nonNegative(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}

function uuid(random: Random): string {
  const hex = () => random.int(0, 15).toString(16)
  const part = (length: number) => Array.from({ length }, hex).join('')
  return `${part(8)}-${part(4)}-4${part(3)}-${(8 + random.int(0, 3)).toString(16)}${part(3)}-${part(12)}`
}
