import type { MessagePart } from '../session/message.js'
import { MessageBuilder } from '../session/message-builder.js'
import type { FinishReason } from '../types.js'
import type { TokenStreamItem } from './stream-tokens.js'

export interface StreamUsage {
  inputTokens?: number
  outputTokens?: number
  reasoningTokens?: number
  /** Input tokens read from the provider's prompt cache. */
  cachedInputTokens?: number
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteInputTokens?: number
}

/** Everything one finished (or stopped) stream produced, and how fast. */
export interface StreamResult {
  /** Everything the answer holds, in order: text, reasoning, tool calls, sources, files, data. */
  parts: MessagePart[]
  /** The text parts joined. */
  text: string
  /** The reasoning parts joined. */
  reasoning: string
  finishReason?: FinishReason
  /** The provider's own finish word. */
  rawFinishReason?: string
  usage?: StreamUsage
  messageId?: string
  model?: string
  /** Output tokens: provider usage when reported, else counted deltas. */
  tokens: number
  ttftMs?: number
  /** Request start → last token. */
  durationMs: number
  tokensPerSecond: number
}

/**
 * Accumulates a token stream into a `StreamResult`, with the same reducer as the chat session
 * (`MessageBuilder`), so a result's parts are exactly what a chat message would hold.
 */
export class ResultCollector {
  private readonly builder = new MessageBuilder()

  add(item: TokenStreamItem): void {
    this.builder.add(item)
  }

  result(): StreamResult {
    const { builder } = this
    const { parts, content, reasoning, usage } = builder.snapshot()
    const progress = builder.progress
    const result: StreamResult = {
      parts,
      text: content,
      reasoning: reasoning ?? '',
      tokens: usage?.outputTokens ?? progress?.tokens ?? 0,
      durationMs: progress?.elapsedMs ?? 0,
      tokensPerSecond: progress?.tokensPerSecond ?? 0,
    }
    if (progress?.ttftMs !== undefined) result.ttftMs = progress.ttftMs
    if (builder.finishReason !== undefined) result.finishReason = builder.finishReason
    if (builder.rawFinishReason !== undefined) result.rawFinishReason = builder.rawFinishReason
    if (usage) result.usage = { ...usage }
    if (builder.messageId !== undefined) result.messageId = builder.messageId
    if (builder.model !== undefined) result.model = builder.model
    return result
  }
}

/**
 * Reads a whole token stream into its result. Errors propagate; use `ResultCollector` to keep
 * the partial result of a stream that fails.
 *
 * @example
 * const { text, parts, tokensPerSecond } = await collectResult(streamTokens(decode(res, { protocol: 'anthropic' })))
 */
export async function collectResult(items: AsyncIterable<TokenStreamItem>): Promise<StreamResult> {
  const collector = new ResultCollector()
  for await (const item of items) collector.add(item)
  const result = collector.result()
  return result
}
