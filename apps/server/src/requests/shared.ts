import type { ApiError } from '../errors.js'

export interface InputLimits {
  maxMessages: number
  /** Characters of text across all messages. */
  maxInputChars: number
}

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

/** Message count and text size; `extraChars` is text outside the messages (a system prompt). */
export function checkSize(
  contents: readonly (Content | unknown)[],
  limits: InputLimits,
  extraChars = 0,
): ApiError | undefined {
  if (contents.length > limits.maxMessages)
    return {
      status: 400,
      message: `messages: too many messages (${contents.length}); at most ${limits.maxMessages} are allowed`,
      param: 'messages',
      code: 'too_many_messages',
    }
  let chars = extraChars
  for (const content of contents) chars += textOf(content).length
  if (chars > limits.maxInputChars)
    return {
      status: 400,
      message: `messages: the conversation is too long (${chars} characters); at most ${limits.maxInputChars} are allowed`,
      param: 'messages',
      code: 'context_length_exceeded',
    }
  return undefined
}
