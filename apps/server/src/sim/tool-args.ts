/**
 * Tool-call arguments generated from the tool's JSON Schema: every required property, some
 * optional ones, values of the declared type that keep `enum`, `const`, bounds, lengths and
 * `format`, and words from the prompt where a string is free text. Covers the JSON Schema
 * subset tool definitions use (OpenAI strict mode, Anthropic `input_schema`); `$ref` is
 * followed into `$defs` / `definitions` of the same schema.
 *
 * The work is bounded whatever the schema says: the arguments count against the answer's
 * output tokens as they are built (a schema asking for more than is left gives no arguments,
 * and the answer ends with finish `length`), `$ref` / `anyOf` cycles end after a few hops, and
 * every step costs from a budget, so a hostile 300-byte schema is as cheap as a plain one.
 */
import type { Random } from './random.js'

type Schema = Record<string, unknown>

const MAX_DEPTH = 6
/** `$ref`, `anyOf` / `oneOf` and `allOf` expansions for one value: a schema that refers to itself stops here. */
const MAX_HOPS = 8
/** Output tokens the arguments may take when the caller sets no cap. */
export const DEFAULT_ARGS_MAX_TOKENS = 8192
/** Every token is at most 10 characters (see tokens.ts): JSON longer than this many per token cannot fit. */
const CHARS_PER_TOKEN = 10
/** Steps (schema keys visited, nodes generated, expansions) one generation may take. */
const MAX_WORK = 200_000
/** Only the start of a property name is matched against the name rules. */
const NAME_CHARS = 64

const CITIES = ['Paris', 'Tokyo', 'Lisbon', 'Nairobi', 'Montreal', 'Seoul', 'Buenos Aires', 'Oslo']
const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Linus Torvalds']
const WORDS = ['alpha', 'river', 'stream', 'token', 'signal', 'harbor', 'meadow', 'pixel']

export interface ArgsOptions {
  /** Output tokens the arguments may take. Default `DEFAULT_ARGS_MAX_TOKENS`. */
  maxTokens?: number
}

/**
 * Arguments for a tool with this input schema: always an object, or undefined when the schema
 * asks for more than `maxTokens` (the caller ends the answer with finish `length`).
 */
export function argsFromSchema(
  schema: unknown,
  random: Random,
  prompt: string,
  options: ArgsOptions = {},
): Record<string, unknown> | undefined {
  const root = isSchema(schema) ? schema : { type: 'object' }
  const maxTokens = Math.max(0, options.maxTokens ?? DEFAULT_ARGS_MAX_TOKENS)
  const budget: Budget = { chars: Math.min(maxTokens, 1e7) * CHARS_PER_TOKEN, work: MAX_WORK }
  let words: string[] | undefined
  let mentions: Mentions | undefined
  const context: Context = {
    root,
    random,
    // Split once, and only when a free-text field needs it: the prompt may be 400 000 characters.
    words: () => (words ??= prompt.split(/\s+/).filter((word) => word.length > 0)),
    mentions: () => (mentions ??= mentionsOf(prompt)),
    depth: 0,
    hops: 0,
    budget,
  }
  let value: unknown
  try {
    value = generate(root, context, '')
  } catch (error) {
    if (error instanceof OverBudget) return undefined
    throw error
  }
  // A tool's arguments are always an object.
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

/** Numbers and words a prompt names, read once. Numbers are taken in order, each by one field. */
interface Mentions {
  numbers: number[]
  words: Set<string>
  lower: string
}

/** Enough for any tool's fields; a prompt of 400 000 digits is not read to the end. */
const MAX_MENTIONED_NUMBERS = 32

function mentionsOf(prompt: string): Mentions {
  const numbers: number[] = []
  for (const match of prompt.matchAll(/(?<![\w.])-?\d+(?:\.\d+)?(?!\w)/g)) {
    numbers.push(Number(match[0]))
    if (numbers.length === MAX_MENTIONED_NUMBERS) break
  }
  const lower = prompt.toLowerCase()
  return { numbers, words: new Set(lower.match(/[\p{L}\p{N}_-]+/gu) ?? []), lower }
}

/** The next number the prompt names that fits the field's bounds (taken), or undefined. */
function mentionedNumber(schema: Schema, context: Context, integral: boolean): number | undefined {
  const { numbers } = context.mentions()
  const above = (bound: unknown, exclusive: boolean) => (value: number) =>
    typeof bound !== 'number' || (exclusive ? value > bound : value >= bound)
  const below = (bound: unknown, exclusive: boolean) => (value: number) =>
    typeof bound !== 'number' || (exclusive ? value < bound : value <= bound)
  const checks = [
    above(schema.minimum, false),
    above(schema.exclusiveMinimum, true),
    below(schema.maximum, false),
    below(schema.exclusiveMaximum, true),
  ]
  const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : undefined
  const at = numbers.findIndex(
    (value) =>
      checks.every((check) => check(value)) &&
      (!integral || Number.isInteger(value)) &&
      (step === undefined || Number.isInteger(value / step)),
  )
  if (at === -1) return undefined
  return numbers.splice(at, 1)[0]
}

interface Budget {
  /** Characters of JSON still allowed (a lower bound of what each value writes). */
  chars: number
  /** Steps still allowed. */
  work: number
}

interface Context {
  root: Schema
  random: Random
  words(): string[]
  /** What the prompt names that a field could take: numbers, words, known places. */
  mentions(): Mentions
  depth: number
  /** Expansions applied to the value being generated. */
  hops: number
  budget: Budget
}

/** Thrown when the arguments would take more than their budget; caught in `argsFromSchema`. */
class OverBudget extends Error {}

function spend(context: Context, chars: number, work = 1): void {
  const { budget } = context
  budget.chars -= chars
  budget.work -= work
  if (budget.chars < 0 || budget.work < 0) throw new OverBudget()
}

/** A value taken from the schema itself (`const`, `enum`, `default`), paid for by its JSON size. */
function literal(value: unknown, context: Context): unknown {
  spend(context, (JSON.stringify(value) ?? 'null').length)
  return value
}

function generate(schema: Schema, context: Context, name: string): unknown {
  const { random } = context
  if (context.depth > MAX_DEPTH || context.hops > MAX_HOPS) return literal(null, context)
  const resolved = resolveRef(schema, context)
  if ('const' in resolved) return literal(resolved.const, context)
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) {
    // The value the prompt names ("in fahrenheit", "multiply"), as a model would pick it.
    const { words } = context.mentions()
    const named = resolved.enum.find((value) => typeof value === 'string' && words.has(value.toLowerCase()))
    return literal(named ?? random.pick(resolved.enum), context)
  }
  const expanded = { ...context, hops: context.hops + 1 }
  const choices = (resolved.anyOf ?? resolved.oneOf) as unknown
  if (Array.isArray(choices) && choices.length > 0) {
    // Prefer a branch that is not `null`: an argument is more useful with a value.
    const branches = choices.filter(isSchema)
    const useful = branches.filter((branch) => branch.type !== 'null')
    const branch = random.pick(useful.length > 0 ? useful : branches)
    spend(context, 0, choices.length)
    if (branch) return generate(merged(context, withoutKeys(resolved, ['anyOf', 'oneOf']), branch), expanded, name)
  }
  if (Array.isArray(resolved.allOf)) {
    spend(context, 0, resolved.allOf.length)
    const all = resolved.allOf.filter(isSchema).reduce<Schema>((acc, part) => mergeSchemas(acc, part, context), {})
    return generate(merged(context, withoutKeys(resolved, ['allOf']), all), expanded, name)
  }
  const type = pickType(resolved, random)
  const inner = { ...context, depth: context.depth + 1, hops: 0 }
  switch (type) {
    case 'object':
      return object(resolved, inner)
    case 'array':
      return array(resolved, inner, name)
    case 'string':
      return string(resolved, context, name)
    case 'integer':
      return literal(mentionedNumber(resolved, context, true) ?? integer(resolved, random), context)
    case 'number':
      return literal(mentionedNumber(resolved, context, false) ?? number(resolved, random), context)
    case 'boolean':
      return literal(random.chance(0.5), context)
    case 'null':
      return literal(null, context)
    default:
      return 'default' in resolved ? literal(resolved.default, context) : string(resolved, context, name)
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
  if (Array.isArray(schema.required)) spend(context, 0, schema.required.length)
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((key) => typeof key === 'string') : [],
  )
  const out: Record<string, unknown> = {}
  spend(context, 2)
  for (const key in properties) {
    spend(context, 0)
    const property = properties[key]
    if (!isSchema(property)) continue
    // Optional properties appear often enough to be seen, not always.
    if (!required.has(key) && !context.random.chance(0.6)) continue
    spend(context, key.length + 4)
    out[key] = generate(property, context, key)
  }
  return out
}

function array(schema: Schema, context: Context, name: string): unknown[] {
  const items = isSchema(schema.items) ? schema.items : { type: 'string' }
  const min = nonNegative(schema.minItems, 1)
  const max = Math.max(min, Math.min(nonNegative(schema.maxItems, min + 2), min + 3))
  // Each item writes at least one character and a comma: more than the budget cannot fit.
  if (min * 2 > context.budget.chars) throw new OverBudget()
  const count = context.random.int(min, max)
  const out: unknown[] = []
  spend(context, 2)
  for (let i = 0; i < count; i++) {
    spend(context, 1)
    out.push(generate(items, context, name))
  }
  if (schema.uniqueItems === true) {
    const unique = [...new Map(out.map((item) => [JSON.stringify(item), item])).values()]
    if (unique.length >= min) return unique
  }
  return out
}

function string(schema: Schema, context: Context, name: string): string {
  const { random } = context
  if (typeof schema.default === 'string' && random.chance(0.3)) return literal(schema.default, context) as string
  const value = byFormat(schema.format, random) ?? byName(name.slice(0, NAME_CHARS).toLowerCase(), context)
  const out = fitLength(value, schema, context)
  spend(context, out.length + 2)
  return out
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
  if (/city|location|place|destination|origin/.test(name)) {
    const { lower } = context.mentions()
    return CITIES.find((city) => lower.includes(city.toLowerCase())) ?? random.pick(CITIES)
  }
  if (/country/.test(name)) return random.pick(['France', 'Japan', 'Portugal', 'Kenya', 'Canada'])
  if (/name|author|user/.test(name)) return random.pick(NAMES)
  if (/email/.test(name)) return `${random.pick(WORDS)}@example.com`
  if (/url|link|href/.test(name)) return `https://example.com/${random.pick(WORDS)}`
  if (/date|day/.test(name)) return `2025-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`
  if (/id$|_id|identifier/.test(name)) return `${random.pick(WORDS)}-${random.int(100, 999)}`
  if (/lang|locale/.test(name)) return random.pick(['en', 'fr', 'ja', 'pt'])
  if (/unit/.test(name)) return random.pick(['celsius', 'fahrenheit'])
  if (/query|search|question|prompt|text|message|topic|q$/.test(name)) return promptExcerpt(context.words(), random)
  return random.pick(WORDS)
}

/** A few words of the user's message: what a model would put in a search query. */
function promptExcerpt(words: readonly string[], random: Random): string {
  if (words.length === 0) return random.pick(WORDS)
  const length = Math.min(words.length, random.int(2, 6))
  const start = random.int(0, words.length - length)
  return words
    .slice(start, start + length)
    .join(' ')
    .replace(/[?!.,;:]+$/, '')
}

/**
 * The value padded with words up to `minLength` and cut at `maxLength`, both counted in code
 * points as JSON Schema counts them. Linear: pieces are collected, then joined once.
 */
function fitLength(value: string, schema: Schema, context: Context): string {
  const { random } = context
  const min = nonNegative(schema.minLength, 0)
  const max = typeof schema.maxLength === 'number' ? Math.max(min, schema.maxLength) : Number.POSITIVE_INFINITY
  // A string this long cannot fit what is left: no need to build it to know.
  if (min + 2 > context.budget.chars) throw new OverBudget()
  let length = codePoints(value)
  if (length < min) {
    const pieces = [value]
    while (length < min) {
      const word = ` ${random.pick(WORDS)}`
      pieces.push(word)
      length += word.length
    }
    value = pieces.join('')
  }
  if (length > max) value = [...value].slice(0, max).join('')
  return value
}

function codePoints(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
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

function resolveRef(schema: Schema, context: Context): Schema {
  const { root } = context
  let current = schema
  for (let hops = 0; typeof current.$ref === 'string'; hops++) {
    if (hops >= MAX_HOPS) return withoutKeys(current, ['$ref'])
    const match = /^#\/(\$defs|definitions)\/(.{1,256})$/.exec(current.$ref)
    const defs = match ? root[match[1] as string] : undefined
    const target = match && isSchema(defs) ? defs[safeDecode(match[2] as string)] : undefined
    if (!isSchema(target)) return withoutKeys(current, ['$ref'])
    current = merged(context, withoutKeys(current, ['$ref']), target)
  }
  return current
}

/** `decodeURIComponent` that leaves text it cannot decode as it is (a JSON Pointer may hold a stray `%`). */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** `{ ...a, ...b }`, paid for by the keys copied. */
function merged(context: Context, a: Schema, b: Schema): Schema {
  let keys = 0
  for (const _ in a) keys++
  for (const _ in b) keys++
  spend(context, 0, keys)
  return { ...a, ...b }
}

function mergeSchemas(a: Schema, b: Schema, context: Context): Schema {
  const out = merged(context, a, b)
  if (isSchema(a.properties) && isSchema(b.properties)) out.properties = merged(context, a.properties, b.properties)
  if (Array.isArray(a.required) && Array.isArray(b.required)) {
    spend(context, 0, a.required.length + b.required.length)
    out.required = [...a.required, ...b.required]
  }
  return out
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
