import type { Protocol } from '@rivulet/core'
import { type HttpHandler, http } from 'msw'
import type { StreamScript } from './script.js'
import { type StreamOutcome, type StreamResponseOptions, streamResponse } from './stream.js'

/** One request a handler answered, for assertions. */
export interface RecordedRequest {
  /** A clone of the request, body unread. */
  request: Request
  /** The body parsed as JSON, or its text when it is not JSON; undefined without a body. */
  body: unknown
  /** 0 for this handler's first request, 1 for the next… */
  call: number
  /** Settles when the response body stops: complete, faulted, or aborted by the client. */
  outcome: Promise<StreamOutcome>
}

export interface StreamHandlerOptions extends Omit<StreamResponseOptions, 'signal' | 'onEnd'> {
  /** Which requests to answer (any MSW path or RegExp). Each protocol's handler has its endpoint as default. */
  url?: string | RegExp
  /** The answer, or a function of the request that picks it (read the body with `await request.json()`). */
  script?: StreamScript | ((request: Request) => StreamScript | Promise<StreamScript>)
  /** Answer one request only, then let the next handler answer (MSW's `once`): "429 then success". */
  once?: boolean
  /** Called for every request answered, before the response starts. */
  onRequest?(request: RecordedRequest): void
}

/** The endpoint each protocol streams from, as MSW paths: any origin. */
export const defaultUrls: Readonly<Record<Protocol, string | RegExp>> = {
  'openai-chat': '*/v1/chat/completions',
  'openai-responses': '*/v1/responses',
  anthropic: '*/v1/messages',
  // `models/{model}:streamGenerateContent?alt=sse`; MSW would read `:stream…` in a path as a parameter.
  gemini: /:streamGenerateContent$/,
  ollama: '*/api/chat',
  // The route `useChat` posts to by default.
  'ai-sdk': '*/api/chat',
  // The route `useCompletion` posts to by default.
  text: '*/api/completion',
}

/**
 * An MSW handler that answers POST requests with a streamed `script` in `protocol`'s wire format.
 * The stream stops as soon as the request is aborted. Works with `setupServer` (Node) and
 * `setupWorker` (browser, Storybook).
 *
 * @example
 * const server = setupServer(streamHandler('openai-chat', { script: { text: 'Hello!' } }))
 */
export function streamHandler(protocol: Protocol, options: StreamHandlerOptions = {}): HttpHandler {
  const { url = defaultUrls[protocol], script, once, onRequest, ...responseOptions } = options
  let calls = 0
  return http.post(
    url,
    async ({ request }) => {
      const call = calls++
      let settle: (outcome: StreamOutcome) => void = () => {}
      if (onRequest !== undefined) {
        const copy = request.clone()
        const body = await readBody(copy.clone())
        onRequest({ request: copy, body, call, outcome: new Promise((resolve) => (settle = resolve)) })
      }
      const answer = typeof script === 'function' ? await script(request) : (script ?? {})
      return streamResponse(protocol, answer, { ...responseOptions, signal: request.signal, onEnd: settle })
    },
    { once },
  )
}

/**
 * OpenAI Chat Completions streaming, at `/v1/chat/completions` on any origin by default.
 *
 * @example
 * setupServer(openaiChatHandler({ script: { text: 'Hello!' }, timing: { ttftMs: 200, tokensPerSecond: 50 } }))
 */
export function openaiChatHandler(options?: StreamHandlerOptions): HttpHandler {
  return streamHandler('openai-chat', options)
}

/**
 * OpenAI Responses API streaming, at `/v1/responses` on any origin by default.
 *
 * @example
 * setupServer(openaiResponsesHandler({ script: { reasoning: 'Thinking…', text: 'Done.' } }))
 */
export function openaiResponsesHandler(options?: StreamHandlerOptions): HttpHandler {
  return streamHandler('openai-responses', options)
}

/**
 * Anthropic Messages streaming, at `/v1/messages` on any origin by default.
 *
 * @example
 * setupServer(anthropicHandler({ script: { text: 'Hi!' }, fault: { type: 'provider-error', afterTokens: 3 } }))
 */
export function anthropicHandler(options?: StreamHandlerOptions): HttpHandler {
  return streamHandler('anthropic', options)
}

/**
 * Gemini `streamGenerateContent?alt=sse`, for any model, by default.
 *
 * @example
 * setupServer(geminiHandler({ script: { text: 'Hi!', usage: { inputTokens: 8 } } }))
 */
export function geminiHandler(options?: StreamHandlerOptions): HttpHandler {
  return streamHandler('gemini', options)
}

/**
 * Ollama's native `/api/chat` NDJSON stream, at `/api/chat` on any origin by default.
 *
 * @example
 * setupServer(ollamaHandler({ script: { text: 'Hi!' }, timing: { chunkBytes: [1, 7] } }))
 */
export function ollamaHandler(options?: StreamHandlerOptions): HttpHandler {
  return streamHandler('ollama', options)
}

/**
 * The AI SDK UI message stream that `useChat` reads, at `/api/chat` on any origin by default.
 *
 * @example
 * setupWorker(aiSdkHandler({ script: { text: 'Hi from Storybook!' }, timing: { tokensPerSecond: 20 } }))
 */
export function aiSdkHandler(options?: StreamHandlerOptions): HttpHandler {
  return streamHandler('ai-sdk', options)
}

/**
 * A plain text stream (the AI SDK's text protocol, `useCompletion`), at `/api/completion` on any origin by default.
 * With `sse: true`, text as SSE `data:` events.
 *
 * @example
 * setupServer(textHandler({ script: { text: 'Once upon a time…' }, timing: { tokensPerSecond: 30 } }))
 */
export function textHandler(options?: StreamHandlerOptions): HttpHandler {
  return streamHandler('text', options)
}

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
