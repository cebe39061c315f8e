import type { ChatMessage, ToolDefinition } from '../session/message.js'
import type { StreamPart } from '../types.js'

/** A message as transports receive it: the whole message, its parts included. */
export type TransportMessage = ChatMessage

/** One request for an answer. */
export interface TransportRequest {
  /**
   * The conversation so far (the selected branch), the newest message last: user messages with
   * their files, and the assistant's earlier answers with their tool calls, results and provider
   * metadata, which presets turn into each provider's own request shape.
   *
   * What the session guarantees, so presets need not check it:
   * - No assistant message that holds nothing: a failed or stopped turn with no part (or only
   *   `step-start`) is left out. A stopped or failed answer with content is sent as it was shown
   *   (its `status` says how it ended). Two user messages may therefore follow each other.
   * - Every tool part not run by the provider has an outcome: `output-available` (`output`),
   *   `output-error` or `output-denied` (both with a readable `errorText` for the model). Calls cut
   *   off, stopped, or left unanswered when the conversation went on get an `output-error`; their
   *   `input` may be a partial object or `undefined` (send `{}`).
   * - In the answer being continued (the last message, during a tool loop), `step-start` parts
   *   separate the model's steps: each step is one provider turn (assistant tool calls, then
   *   their results, then the next step's output).
   * - Tool call ids are unique in the conversation; a tool part's result is on the same part.
   *   Provider-executed parts (`providerExecuted: true`) hold the result the stream brought, or
   *   an `output-error` when the stream stopped before it.
   */
  messages: readonly ChatMessage[]
  /** The tools the model may call; presets send them in the provider's own tool format. */
  tools?: Readonly<Record<string, ToolDefinition>>
  /** Aborts the request; a resumable stream is cancelled on the server too. */
  signal: AbortSignal
  /** Called for every chunk of bytes received (stall timeouts watch it). */
  onActivity?(): void
}

/**
 * Turns a request into a stream of parts: HTTP with any protocol, WebSocket, or your own.
 * `maxTokens`, when the transport knows it, lets progress show a percent and an ETA.
 *
 * @example
 * const transport: Transport = async function* ({ messages, signal }) {
 *   yield* decode(await fetch('/api/chat', { method: 'POST', body: JSON.stringify({ messages }), signal }), { protocol: 'ai-sdk', signal })
 * }
 */
export interface Transport {
  (request: TransportRequest): AsyncIterable<StreamPart>
  maxTokens?: number
}

/**
 * Resumable streams. A client opts in with the request header; the server answers with the
 * stream id header, and every SSE event carries an `id:`. After a dropped connection the client
 * sends `GET /v1/streams/:id` with `Last-Event-ID` and gets the missed events once, then the
 * live ones. `DELETE /v1/streams/:id` stops the stream: an explicit cancel, so that stop and
 * resume never fight.
 */
export const RESUMABLE_HEADER = 'x-rivulet-resumable'
export const STREAM_ID_HEADER = 'x-rivulet-stream-id'

/** Where a resumable stream lives, next to the endpoint that started it (`…/v1/streams/:id`). */
export function streamUrl(endpoint: string | URL, streamId: string): string {
  const url = new URL(endpoint, typeof location === 'undefined' ? undefined : location.href)
  const version = url.pathname.match(/^(.*?\/v\d+)(?:\/|$)/)?.[1] ?? ''
  return new URL(`${version}/streams/${encodeURIComponent(streamId)}`, url.origin).href
}
