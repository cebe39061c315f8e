/** How a provider said the answer ended, normalized. The provider's own word stays in `raw`. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other'

/**
 * What a provider attached to a part and needs back to continue the conversation, keyed by
 * provider: `{ anthropic: { signature } }`, `{ google: { thoughtSignature } }`,
 * `{ openai: { itemId, encryptedContent } }`.
 */
export type ProviderMetadata = Record<string, Record<string, unknown>>

/** One normalized piece of a streamed answer, whatever the wire format. */
export type StreamPart =
  | { type: 'start'; messageId?: string; model?: string }
  /** Text of the answer. Consecutive deltas belong to one block until a `text-end`. */
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /**
   * Closes the current text or reasoning block: the next delta of that channel starts a new
   * block. Carries what the provider attached to the whole block (a thinking signature, an
   * encrypted reasoning item, redacted thinking, which has no text at all). Decoders send it
   * only where a block has such metadata or its boundary matters for sending it back.
   */
  | { type: 'text-end'; providerMetadata?: ProviderMetadata }
  | { type: 'reasoning-end'; providerMetadata?: ProviderMetadata }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argsDelta: string }
  /**
   * A tool call whose arguments are complete and parsed. `providerExecuted`: the provider ran
   * it itself (web search, code execution, MCP); its `tool-result` follows in the stream.
   */
  | {
      type: 'tool-call'
      index: number
      id: string
      name: string
      args: unknown
      providerExecuted?: boolean
      providerMetadata?: ProviderMetadata
    }
  /**
   * A tool call the stream cut off before its arguments were complete (the output token limit
   * was hit inside them). Never to be run; `argsText` is what arrived.
   */
  | { type: 'tool-call-incomplete'; index: number; id: string; name: string; argsText: string }
  /** The outcome of a provider-executed tool call, linked by `id`. */
  | {
      type: 'tool-result'
      id: string
      name: string
      result: unknown
      isError?: boolean
      providerExecuted?: boolean
      providerMetadata?: ProviderMetadata
    }
  /** A citation or grounding source: a URL, or a document the answer drew on. */
  | {
      type: 'source'
      id?: string
      url?: string
      title?: string
      mediaType?: string
      filename?: string
      providerMetadata?: ProviderMetadata
    }
  /**
   * A generated file or image, as an `https:` or `data:` URL. `partial` marks a preview the
   * provider sends while generating; a later file with the same `id` replaces it.
   */
  | {
      type: 'file'
      mediaType: string
      url: string
      id?: string
      filename?: string
      partial?: boolean
      providerMetadata?: ProviderMetadata
    }
  /** App-defined data streamed beside the answer (AI SDK `data-*` parts). */
  | { type: 'data'; name: string; id?: string; data: unknown; transient?: boolean }
  /** A boundary between tool rounds inside one stream (a server that runs its own tool loop). */
  | { type: 'step-start' }
  /** Token counts as the provider reports them; running totals, the last one wins. */
  | {
      type: 'usage'
      inputTokens?: number
      outputTokens?: number
      reasoningTokens?: number
      /** Input tokens read from the provider's prompt cache (part of `inputTokens` where the provider counts them there). */
      cachedInputTokens?: number
      /** Input tokens written to the provider's prompt cache (Anthropic cache creation). */
      cacheWriteInputTokens?: number
    }
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
