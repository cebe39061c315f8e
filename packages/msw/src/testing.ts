/** Helpers for this package's tests: reading what a mocked stream decodes to. Not published. */
import type { Protocol, StreamPart } from '@rivulet/core'

/** Every value an async iterable yields and the error it ends with, filled in as they come. */
export interface Consumed<T> {
  values: T[]
  error?: unknown
  /** Settles when the iterable ends, with or without an error. */
  done: Promise<void>
}

/** Starts reading `iterable` in the background, so a test can watch it fill while it moves fake timers. */
export function consume<T>(iterable: AsyncIterable<T>): Consumed<T> {
  const consumed: Consumed<T> = { values: [], done: Promise.resolve() }
  consumed.done = (async () => {
    try {
      for await (const value of iterable) consumed.values.push(value)
    } catch (error) {
      consumed.error = error
    }
  })()
  return consumed
}

/** Reads `iterable` to its end. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<Consumed<T>> {
  const consumed = consume(iterable)
  await consumed.done
  return consumed
}

/** What a stream said, in the terms every protocol shares: the comparison the tests make. */
export interface Said {
  start?: Extract<StreamPart, { type: 'start' }>
  reasoning: string[]
  text: string[]
  toolCalls: { id: string; name: string; args: unknown }[]
  usage?: Omit<Extract<StreamPart, { type: 'usage' }>, 'type'>
  finish?: string
}

/** Sums up parts: deltas token for token, whole tool calls, the last usage, the finish reason. */
export function said(parts: readonly StreamPart[]): Said {
  const summary: Said = { reasoning: [], text: [], toolCalls: [] }
  for (const part of parts) {
    if (part.type === 'start') summary.start = part
    if (part.type === 'reasoning-delta') summary.reasoning.push(part.text)
    if (part.type === 'text-delta') summary.text.push(part.text)
    if (part.type === 'tool-call') summary.toolCalls.push({ id: part.id, name: part.name, args: part.args })
    if (part.type === 'usage') {
      const { type: _, ...usage } = part
      summary.usage = usage
    }
    if (part.type === 'finish') summary.finish = part.reason
  }
  return summary
}

/**
 * What of `parts` a protocol can carry: Ollama has no message id and no reasoning count, the AI SDK
 * stream no model (its usage travels as message metadata), plain text only the text.
 */
export function carried(protocol: Protocol, parts: readonly StreamPart[]): Said {
  const summary = said(parts)
  const start = summary.start ?? { type: 'start' }
  switch (protocol) {
    case 'ollama': {
      summary.start = start.model === undefined ? { type: 'start' } : { type: 'start', model: start.model }
      if (summary.usage) delete summary.usage.reasoningTokens
      return summary
    }
    case 'ai-sdk':
      summary.start = start.messageId === undefined ? { type: 'start' } : { type: 'start', messageId: start.messageId }
      return summary
    case 'text':
      return { reasoning: [], text: summary.text, toolCalls: [], finish: 'stop' }
    default:
      return summary
  }
}

export { PROTOCOLS as protocols } from '@rivulet/core'
