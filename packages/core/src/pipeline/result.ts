import type { FinishReason, StreamPart } from '../types.js'
import type { StreamProgress } from './progress.js'
import type { TokenStreamItem } from './stream-tokens.js'

export interface ToolCall {
  index: number
  id: string
  name: string
  args: unknown
}

export interface StreamUsage {
  inputTokens?: number
  outputTokens?: number
  reasoningTokens?: number
}

/** Everything one finished (or stopped) stream produced, and how fast. */
export interface StreamResult {
  text: string
  reasoning: string
  toolCalls: ToolCall[]
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
 * Accumulates a token stream into a `StreamResult`. Text is kept as its units and joined
 * once, when asked for, so memory stays linear in the text and per-token work constant.
 */
export class ResultCollector {
  private readonly text: string[] = []
  private readonly reasoning: string[] = []
  private readonly toolCalls: ToolCall[] = []
  private progress: StreamProgress | undefined
  private usage: StreamUsage | undefined
  private finish: Extract<StreamPart, { type: 'finish' }> | undefined
  private start: Extract<StreamPart, { type: 'start' }> | undefined

  add(item: TokenStreamItem): void {
    switch (item.type) {
      case 'token':
        ;(item.channel === 'text' ? this.text : this.reasoning).push(item.text)
        this.progress = item.progress
        break
      case 'tool-call':
        this.toolCalls.push({ index: item.index, id: item.id, name: item.name, args: item.args })
        break
      case 'usage': {
        const { type: _, ...usage } = item
        this.usage = { ...this.usage, ...usage }
        break
      }
      case 'finish':
        this.finish = item
        break
      case 'start':
        this.start = item
        break
    }
  }

  result(): StreamResult {
    const progress = this.progress
    const result: StreamResult = {
      text: this.text.join(''),
      reasoning: this.reasoning.join(''),
      toolCalls: this.toolCalls.slice(),
      tokens: this.usage?.outputTokens ?? progress?.tokens ?? 0,
      durationMs: progress?.elapsedMs ?? 0,
      tokensPerSecond: progress?.tokensPerSecond ?? 0,
    }
    if (progress?.ttftMs !== undefined) result.ttftMs = progress.ttftMs
    if (this.finish) {
      result.finishReason = this.finish.reason
      if (this.finish.raw !== undefined) result.rawFinishReason = this.finish.raw
    }
    if (this.usage) result.usage = { ...this.usage }
    if (this.start?.messageId !== undefined) result.messageId = this.start.messageId
    if (this.start?.model !== undefined) result.model = this.start.model
    return result
  }
}

/**
 * Reads a whole token stream into its result. Errors propagate; use `ResultCollector` to keep
 * the partial result of a stream that fails.
 */
export async function collectResult(items: AsyncIterable<TokenStreamItem>): Promise<StreamResult> {
  const collector = new ResultCollector()
  for await (const item of items) collector.add(item)
  return collector.result()
}
