/**
 * A conversation's messages as ordered parts, in the order the model produced them, so a UI can
 * show "said X, called a tool, then said Y". Flat fields (`content`, `reasoning`) are derived.
 */
import type { StreamError } from '../errors.js'
import type { StreamUsage } from '../pipeline/result.js'
import type { FinishReason, ProviderMetadata } from '../types.js'

export type { ProviderMetadata }

export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'done' | 'error' | 'aborted'
export type MessageStatus = Exclude<ChatStatus, 'idle'>

/** Where a tool call is in its life. */
export type ToolState =
  /** Arguments arriving; `input` is the partial parse so far. */
  | 'input-streaming'
  /** Arguments complete; waiting for `execute` or `addToolResult`. */
  | 'input-available'
  /** `needsApproval`: waiting for `respondToApproval`. */
  | 'approval-requested'
  | 'output-available'
  | 'output-error'
  | 'output-denied'

export interface TextPart {
  type: 'text'
  text: string
  providerMetadata?: ProviderMetadata
}
export interface ReasoningPart {
  type: 'reasoning'
  text: string
  providerMetadata?: ProviderMetadata
}
export interface ToolPart {
  type: 'tool'
  toolCallId: string
  name: string
  state: ToolState
  input?: unknown
  output?: unknown
  errorText?: string
  /** The provider ran it (web search, code execution): its output came in the stream. */
  providerExecuted?: boolean
  providerMetadata?: ProviderMetadata
  /** The user's answer to `approval-requested` (`respondToApproval`). */
  approval?: { approved: boolean; reason?: string }
}
export interface SourcePart {
  type: 'source'
  id?: string
  url?: string
  title?: string
  /** A document source's type and name. */
  mediaType?: string
  filename?: string
  providerMetadata?: ProviderMetadata
}
export interface FilePart {
  type: 'file'
  mediaType: string
  /** An `https:`, `data:` or `blob:` URL. */
  url: string
  filename?: string
  /** A generated file's id: a later file with the same id replaces it. */
  id?: string
  /** A preview the provider sent while generating; the final file replaces it. */
  partial?: boolean
  providerMetadata?: ProviderMetadata
}
export interface DataPart {
  type: 'data'
  name: string
  id?: string
  data: unknown
}
/** The boundary between tool rounds of one answer: one between steps, none before the first. */
export interface StepStartPart {
  type: 'step-start'
}

export type MessagePart = TextPart | ReasoningPart | ToolPart | SourcePart | FilePart | DataPart | StepStartPart

export interface MessageMetrics {
  tokens: number
  ttftMs?: number
  tokensPerSecond: number
  durationMs: number
}

export interface ChatMessage {
  id: string
  role: 'system' | 'user' | 'assistant'
  /** Everything the message holds, in order. */
  parts: MessagePart[]
  /** Derived: the text parts joined. */
  content: string
  /** Derived: the reasoning parts joined (assistant messages that stream any). */
  reasoning?: string
  /** Assistant messages: where this answer's stream is. */
  status?: MessageStatus
  finishReason?: FinishReason
  usage?: StreamUsage
  metrics?: MessageMetrics
  error?: StreamError
  /**
   * Set when the message has other versions (an edited question, a regenerated answer): which
   * one this is, 0-based, of how many. Switch with `session.selectBranch(id, index)`.
   */
  branch?: { index: number; count: number }
}

/**
 * A tool the model may call. `inputSchema` is JSON Schema, sent to each provider in its own
 * tool format. Without `execute` the app runs it (`onToolCall`, then `addToolResult`).
 *
 * @example
 * const weather: ToolDefinition<{ city: string }> = {
 *   description: 'Current weather for a city',
 *   inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
 *   execute: async ({ city }, { signal }) => (await fetch(`/weather?city=${city}`, { signal })).json(),
 * }
 */
export interface ToolDefinition<Input = unknown, Output = unknown> {
  description?: string
  inputSchema: object
  execute?(input: Input, context: { toolCallId: string; signal: AbortSignal }): Output | Promise<Output>
  needsApproval?: boolean | ((input: Input) => boolean)
}

/** A file attached to a message: a `File`, a `Blob`, or one already at a URL. */
export type ChatFileInput = File | Blob | { url: string; mediaType: string; filename?: string }
