/** How a provider said the answer ended, normalized. The provider's own word stays in `raw`. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other'

/** One normalized piece of a streamed answer, whatever the wire format. */
export type StreamPart =
  | { type: 'start'; messageId?: string; model?: string }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argsDelta: string }
  /** A tool call whose arguments are complete and parsed. */
  | { type: 'tool-call'; index: number; id: string; name: string; args: unknown }
  /** Token counts as the provider reports them; running totals, the last one wins. */
  | { type: 'usage'; inputTokens?: number; outputTokens?: number; reasoningTokens?: number }
  /** Always the last part of a stream that ended as its protocol says it should. */
  | { type: 'finish'; reason: FinishReason; raw?: string }

export type Protocol =
  | 'openai-chat' // Chat Completions, stream: true
  | 'openai-responses' // Responses API events
  | 'anthropic' // Messages API events
  | 'gemini' // streamGenerateContent?alt=sse
  | 'ollama' // /api/chat and /api/generate NDJSON
  | 'ai-sdk' // Vercel AI SDK UI message stream (SSE JSON parts)
  | 'text' // plain text/event-stream data or text/plain body

/** Anything a stream can be read from. Strings are taken as already-decoded text. */
export type ByteSource = Response | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>
