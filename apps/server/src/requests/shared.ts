import type { ApiError } from '../errors.js'

export interface InputLimits {
  maxMessages: number
  /** Characters of text across all messages. */
  maxInputChars: number
}

/**
 * How many of each thing one message may hold. Real requests stay far below; the body cap
 * (1 MiB) already bounds the total, these keep one field from holding it all as tiny items.
 */
export const MAX_CONTENT_PARTS = 512
export const MAX_TOOL_CALLS = 128
/** Blocks inside one Anthropic `tool_result`. */
export const MAX_RESULT_BLOCKS = 128

/** Message content as both APIs allow it: a string, or an array of typed blocks. */
export type Content = string | null | undefined | readonly { type: string; text?: unknown; content?: unknown }[]

/** The text of a content value: strings as they are, text blocks joined, nested tool results included. */
export function textOf(content: Content | unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const out: string[] = []
  for (const block of content as { type?: unknown; text?: unknown; content?: unknown }[]) {
    if (typeof block?.text === 'string') out.push(block.text)
    else if (block?.content !== undefined) out.push(textOf(block.content))
  }
  return out.join('\n')
}

/** A tool call's arguments as the model reads them: parsed JSON, or the text as it came when it is not JSON. */
export function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * Message count and text size; `chars` counts every character the model reads (text, thinking,
 * tool arguments and results, a system prompt), not the bytes of attached files.
 */
export function checkSize(messages: number, chars: number, limits: InputLimits): ApiError | undefined {
  if (messages > limits.maxMessages)
    return {
      status: 400,
      message: `messages: too many messages (${messages}); at most ${limits.maxMessages} are allowed`,
      param: 'messages',
      code: 'too_many_messages',
    }
  if (chars > limits.maxInputChars)
    return {
      status: 400,
      message: `messages: the conversation is too long (${chars} characters); at most ${limits.maxInputChars} are allowed`,
      param: 'messages',
      code: 'context_length_exceeded',
    }
  return undefined
}
