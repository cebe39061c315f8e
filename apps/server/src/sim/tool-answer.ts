/**
 * What the simulated model says once its tool calls have results: a sentence per result that
 * quotes the result's values ("The weather in Paris is sunny, temperature 18."), or says the
 * tool failed and why. It reads the call it made (name and arguments) to say what was asked.
 */
import type { Random } from './random.js'

export interface ToolOutcome {
  /** The tool's name, from the call the result answers (`undefined` when none matches). */
  name: string | undefined
  args: unknown
  /** The result as the provider's message holds it: text, often JSON. */
  content: string
  /** Anthropic's `is_error`. Chat Completions has no such flag: see `errorOf`. */
  isError: boolean
}

/** At most this many values of an object result are quoted. */
const MAX_VALUES = 6
const MAX_VALUE_CHARS = 60
const MAX_QUOTE_CHARS = 160
/** Arguments named when a call is told by what it was given. */
const MAX_ARGS_SHOWN = 4

/** Leading verbs a tool name drops to say what it is about: `get_weather` → "weather". */
const VERBS = new Set(['get', 'fetch', 'lookup', 'look', 'up', 'find', 'read', 'load', 'query', 'retrieve', 'check'])
/** What a result that is plain text says when it is an error (Chat Completions has no error flag). */
const ERROR_WORDS =
  /\b(error|failed|failure|denied|not run|exception|cannot|can't|could not|unable|invalid|not found|timed out|refused)\b/i
/** Argument names that are a place: "in Paris" rather than "for Paris". */
const PLACES = new Set(['city', 'location', 'place', 'country', 'region', 'town', 'address'])

/** The opening of an answer that follows tool results: one sentence per result. */
export function writeToolAnswer(outcomes: readonly ToolOutcome[], random: Random): string {
  const sentences = outcomes.map((outcome) => sentenceFor(outcome))
  const failed = outcomes.some((outcome) => errorOf(outcome) !== undefined)
  const close = failed
    ? random.pick([
        'You could try again, or change what you asked for.',
        'I can try again if you like, perhaps with different input.',
      ])
    : random.pick(['', 'Here is a bit more context.', 'Let me know if you need anything else about it.'])
  return [...sentences, close].filter((text) => text !== '').join(' ')
}

function sentenceFor(outcome: ToolOutcome): string {
  const { topic, where } = describeCall(outcome.name, outcome.args)
  const named = outcome.name === undefined ? 'The tool' : `\`${outcome.name}\``
  const error = errorOf(outcome)
  if (error !== undefined) {
    const reason = error.replace(/[.!?]+$/, '')
    return topic === undefined
      ? `${named}${where} failed: ${reason}.`
      : `I could not get the ${topic}${where}: ${named === 'The tool' ? 'the tool' : named} failed (${reason}).`
  }
  const value = parseValue(outcome.content)
  const values = describeValue(value)
  if (topic !== undefined) {
    return isRecord(value) ? `Here is the ${topic}${where}: ${values}.` : `The ${topic}${where} is ${values}.`
  }
  return isRecord(value) ? `${named}${where} returned ${values}.` : `The result of ${named}${where} is ${values}.`
}

/** What a call was about: "weather" and " in Paris" for `get_weather({ city: 'Paris' })`. */
function describeCall(name: string | undefined, args: unknown): { topic: string | undefined; where: string } {
  let topic: string | undefined
  if (name !== undefined) {
    const words = name
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[\s_-]+/)
      .filter(Boolean)
    let start = 0
    while (start < words.length - 1 && VERBS.has(words[start] as string)) start++
    if (start > 0) topic = words.slice(start).join(' ')
  }
  let where = ''
  if (isRecord(args)) {
    const entries = Object.entries(args).filter(
      (entry): entry is [string, string | number | boolean] =>
        (typeof entry[1] === 'string' && entry[1].length <= MAX_VALUE_CHARS) ||
        typeof entry[1] === 'number' ||
        typeof entry[1] === 'boolean',
    )
    if (topic !== undefined) {
      // "The weather in Paris", "The stock price for ACME": the one argument the call is about.
      const place = entries.find(([key]) => PLACES.has(key.toLowerCase()))
      const first = place ?? entries.find(([, value]) => typeof value === 'string')
      if (first) where = `${place ? ' in' : ' for'} ${String(first[1])}`
    } else if (entries.length > 0) {
      // A tool that is a verb ("calculate") is told by what it was given.
      const shown = entries.slice(0, MAX_ARGS_SHOWN).map(([key, value]) => `${key.replace(/[_-]+/g, ' ')} ${value}`)
      where = ` (${shown.join(', ')})`
    }
  }
  return { topic, where }
}

/**
 * Why a result is an error, or `undefined` for a good one: Anthropic flags errors; in Chat
 * Completions an error is text that says so (`Error: …`, "Cannot divide by zero", "The user
 * denied this tool call.") or a JSON object with an `error` field.
 */
export function errorOf(outcome: ToolOutcome): string | undefined {
  const value = parseValue(outcome.content)
  if (isRecord(value) && value.error !== undefined) {
    const error = value.error
    const message = isRecord(error) && typeof error.message === 'string' ? error.message : error
    return quote(typeof message === 'string' ? message : JSON.stringify(message))
  }
  if (outcome.isError) return quote(outcome.content.trim() === '' ? 'it gave no reason' : outcome.content)
  if (typeof value === 'string' && ERROR_WORDS.test(value)) return quote(value)
  return undefined
}

function parseValue(content: string): unknown {
  const text = content.trim()
  if (text === '') return ''
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A result's values as words: `sky sunny, temperature 18` for an object, the value itself otherwise. */
function describeValue(value: unknown): string {
  if (isRecord(value)) {
    const pairs: string[] = []
    for (const [key, item] of Object.entries(value)) {
      if (pairs.length === MAX_VALUES) break
      const text = describeLeaf(item)
      if (text !== undefined) pairs.push(`${key.replace(/[_-]+/g, ' ')} ${text}`)
    }
    return pairs.length > 0 ? pairs.join(', ') : 'nothing I can quote'
  }
  return describeLeaf(value) ?? 'nothing I can quote'
}

function describeLeaf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? 'empty' : quote(value, MAX_VALUE_CHARS)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null) return 'none'
  if (Array.isArray(value)) {
    const simple = value.filter((item) => ['string', 'number', 'boolean'].includes(typeof item))
    if (simple.length === value.length && value.length > 0 && value.length <= MAX_VALUES)
      return simple.map((item) => quote(String(item), MAX_VALUE_CHARS)).join(', ')
    return `${value.length} item${value.length === 1 ? '' : 's'}`
  }
  if (isRecord(value)) return quote(JSON.stringify(value), MAX_VALUE_CHARS)
  return undefined
}

/** Text fit for a sentence: one line, no backticks (the answer is markdown), cut when long. */
function quote(text: string, max = MAX_QUOTE_CHARS): string {
  const line = text.replace(/`/g, "'").replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
