import type { FinishReason, StreamPart } from '@rivulet/core'
import { splitTokens } from './tokens.js'

/** A tool call the mocked model makes. Its arguments stream as JSON text, in token-sized pieces. */
export interface ScriptToolCall {
  name: string
  /** The parsed arguments: a JSON object (Gemini and Ollama only carry objects). Default `{}`. */
  args?: unknown
  /** Default `call_<index>`. */
  id?: string
}

/** Token counts to report. Fields left out are counted from what was streamed. */
export interface ScriptUsage {
  /** Reported as the provider does: Anthropic in `message_start`, the others at the end. */
  inputTokens?: number
  /** Default: every token streamed (reasoning, text and tool-call argument pieces). */
  outputTokens?: number
  /** Default: the reasoning tokens streamed, when there are any. */
  reasoningTokens?: number
}

/**
 * What the mocked model answers. The parts go out in the order models send them: reasoning,
 * then text, then tool calls, then usage and the finish.
 *
 * @example
 * const script: StreamScript = {
 *   reasoning: 'The user wants a greeting.',
 *   text: 'Hello! How can I help?',
 *   usage: { inputTokens: 12 },
 * }
 */
export interface StreamScript {
  /** A string is cut into token-sized pieces (see `splitTokens`); an array is streamed token for token. */
  text?: string | readonly string[]
  /** Thinking, streamed before the text, cut the same way. */
  reasoning?: string | readonly string[]
  toolCalls?: readonly ScriptToolCall[]
  /** Default `'auto'`: output tokens counted from what was streamed. `false`: no usage at all. */
  usage?: 'auto' | false | ScriptUsage
  /** Default `'tool-calls'` when the script has tool calls, else `'stop'`. */
  finishReason?: FinishReason
  /** The model name the stream reports. */
  model?: string
  /** The message or response id the stream reports. */
  id?: string
}

/**
 * The parts a script streams, in order, before any encoder sees them: `start`, one
 * `reasoning-delta` / `text-delta` per token, each tool call as `tool-call-delta`s and a
 * `tool-call`, `usage` and `finish`. A protocol that cannot carry a part writes nothing for it.
 *
 * @example
 * scriptParts({ text: ['Hi', '!'] })
 * // [{ type: 'start' }, { type: 'text-delta', text: 'Hi' }, { type: 'text-delta', text: '!' },
 * //  { type: 'usage', outputTokens: 2 }, { type: 'finish', reason: 'stop' }]
 */
export function scriptParts(script: StreamScript = {}): StreamPart[] {
  const start: StreamPart = { type: 'start' }
  if (script.id !== undefined) start.messageId = script.id
  if (script.model !== undefined) start.model = script.model
  const parts: StreamPart[] = [start]

  const given = script.usage === undefined || script.usage === 'auto' || script.usage === false ? {} : script.usage
  // Anthropic reports the prompt's size in `message_start`, before any output: an early usage part is how
  // its encoder is told; the other encoders keep the last usage part for the end.
  if (script.usage !== false && given.inputTokens !== undefined) {
    parts.push({ type: 'usage', inputTokens: given.inputTokens })
  }

  const reasoning = tokensOf(script.reasoning)
  for (const text of reasoning) parts.push({ type: 'reasoning-delta', text })
  for (const text of tokensOf(script.text)) parts.push({ type: 'text-delta', text })

  const toolCalls = script.toolCalls ?? []
  toolCalls.forEach((call, index) => {
    const id = call.id ?? `call_${index}`
    const json = JSON.stringify(call.args ?? {})
    // Through JSON and back, so the parsed arguments equal what a decoder parses from the wire.
    const args: unknown = JSON.parse(json)
    splitTokens(json).forEach((argsDelta, piece) => {
      parts.push(
        piece === 0
          ? { type: 'tool-call-delta', index, id, name: call.name, argsDelta }
          : { type: 'tool-call-delta', index, argsDelta },
      )
    })
    parts.push({ type: 'tool-call', index, id, name: call.name, args })
  })

  if (script.usage !== false) {
    const usage: StreamPart = { type: 'usage' }
    if (given.inputTokens !== undefined) usage.inputTokens = given.inputTokens
    usage.outputTokens = given.outputTokens ?? parts.filter(isToken).length
    const reasoningTokens = given.reasoningTokens ?? (reasoning.length > 0 ? reasoning.length : undefined)
    if (reasoningTokens !== undefined) usage.reasoningTokens = reasoningTokens
    parts.push(usage)
  }
  parts.push({ type: 'finish', reason: script.finishReason ?? (toolCalls.length > 0 ? 'tool-calls' : 'stop') })
  return parts
}

/** Whether a part is one generated token: the unit that timing paces and faults count. */
export function isToken(part: StreamPart): boolean {
  return part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta'
}

function tokensOf(text: string | readonly string[] | undefined): readonly string[] {
  if (text === undefined) return []
  return typeof text === 'string' ? splitTokens(text) : text.filter((token) => token !== '')
}
