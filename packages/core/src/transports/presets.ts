/**
 * Transports for each provider's own API. Each sends the whole conversation in that provider's
 * request shape (see `./requests/*`): tool definitions, tool calls and their results linked by
 * id, files and images, and the provider metadata the provider needs to go on. Input a provider
 * does not take fails before any request, as a `StreamError` of kind `provider` with code
 * `unsupported_input`.
 */
import { anthropicDecoder } from '../protocols/anthropic.js'
import { geminiDecoder } from '../protocols/gemini.js'
import { ollamaDecoder } from '../protocols/ollama.js'
import { openaiChatDecoder } from '../protocols/openai-chat.js'
import { openaiResponsesDecoder } from '../protocols/openai-responses.js'
import { type HeadersSource, type HttpTransportOptions, streamingHttpTransport } from './http.js'
import { anthropicRequest } from './requests/anthropic.js'
import { geminiRequest } from './requests/gemini.js'
import { withReadableFiles } from './requests/history.js'
import { ollamaRequest } from './requests/ollama.js'
import { openaiChatRequest } from './requests/openai-chat.js'
import { openaiResponsesRequest } from './requests/openai-responses.js'
import type { Transport, TransportRequest } from './transport.js'

interface PresetOptions extends Pick<HttpTransportOptions, 'fetch' | 'lenient' | 'onMalformed' | 'credentials'> {
  model: string
  /** Output cap sent with the request; also the progress estimate. */
  maxTokens?: number
  /** Extra headers (merged over the preset's own). */
  headers?: HeadersSource
  /** Extra body fields, merged over the preset's own (temperature, provider-run tools, …). */
  extraBody?: Record<string, unknown>
}

export interface OpenAICompatibleOptions extends PresetOptions {
  /** Default OpenAI. Ollama: http://localhost:11434/v1, vLLM: http://localhost:8000/v1, llama.cpp: http://localhost:8080/v1. */
  baseURL?: string
  apiKey?: string
  resume?: HttpTransportOptions['resume']
}

/**
 * Chat Completions streaming against OpenAI or any compatible server (Ollama `/v1`, vLLM,
 * llama.cpp server, the demo server). Usage is requested so token counts are exact.
 *
 * @example
 * createChatSession({ transport: openaiCompatible({ baseURL: 'http://localhost:11434/v1', model: 'llama3.2' }) })
 */
export function openaiCompatible(options: OpenAICompatibleOptions): Transport {
  const baseURL = trimSlash(options.baseURL ?? 'https://api.openai.com/v1')
  return streamingHttpTransport(
    {
      ...common(options),
      url: `${baseURL}/chat/completions`,
      protocol: 'openai-chat',
      resume: options.resume,
      headers: merged(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}, options.headers),
      body: async (request) => ({
        ...openaiChatRequest(await readable(request), options),
        ...options.extraBody,
      }),
    },
    openaiChatDecoder,
  )
}

export interface AnthropicOptions extends PresetOptions {
  baseURL?: string
  apiKey?: string
  /** Default 1024: the Messages API requires a cap. */
  maxTokens?: number
  /**
   * Sends `anthropic-dangerous-direct-browser-access: true`, which Anthropic requires for
   * calls made from a browser. Only for apps whose users bring their own key.
   */
  dangerouslyAllowBrowser?: boolean
}

export interface OpenAIResponsesOptions extends PresetOptions {
  /** Default OpenAI. Any server that serves the Responses API (vLLM, Ollama, LM Studio, OpenRouter). */
  baseURL?: string
  apiKey?: string
}

/**
 * The Responses API (`POST /responses`), stateless: nothing is stored on OpenAI's side
 * (`store: false`), and reasoning goes back as encrypted reasoning items each turn.
 *
 * @example
 * createChatSession({ transport: openaiResponses({ apiKey, model: 'gpt-5-mini' }), tools })
 */
export function openaiResponses(options: OpenAIResponsesOptions): Transport {
  const baseURL = trimSlash(options.baseURL ?? 'https://api.openai.com/v1')
  return streamingHttpTransport(
    {
      ...common(options),
      url: `${baseURL}/responses`,
      protocol: 'openai-responses',
      headers: merged(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}, options.headers),
      body: async (request) => ({
        ...openaiResponsesRequest(await readable(request), options),
        ...options.extraBody,
      }),
    },
    openaiResponsesDecoder,
  )
}

/** Anthropic Messages API streaming. System messages become the `system` field. */
export function anthropic(options: AnthropicOptions): Transport {
  const baseURL = trimSlash(options.baseURL ?? 'https://api.anthropic.com/v1')
  const maxTokens = options.maxTokens ?? 1024
  const own: Record<string, string> = { 'anthropic-version': '2023-06-01' }
  if (options.apiKey) own['x-api-key'] = options.apiKey
  if (options.dangerouslyAllowBrowser) own['anthropic-dangerous-direct-browser-access'] = 'true'
  return streamingHttpTransport(
    {
      ...common({ ...options, maxTokens }),
      url: `${baseURL}/messages`,
      protocol: 'anthropic',
      headers: merged(own, options.headers),
      body: async (request) => ({
        ...anthropicRequest(await readable(request), { model: options.model, maxTokens }),
        ...options.extraBody,
      }),
    },
    anthropicDecoder,
  )
}

export interface OllamaOptions extends PresetOptions {
  /** Default http://localhost:11434 */
  baseURL?: string
}

/** Ollama's native `/api/chat` (NDJSON), with thinking and tool calls as Ollama sends them. */
export function ollama(options: OllamaOptions): Transport {
  const baseURL = trimSlash(options.baseURL ?? 'http://localhost:11434')
  return streamingHttpTransport(
    {
      ...common(options),
      url: `${baseURL}/api/chat`,
      protocol: 'ollama',
      headers: merged({}, options.headers),
      body: async (request) => ({
        ...ollamaRequest(await readable(request), options),
        ...options.extraBody,
      }),
    },
    ollamaDecoder,
  )
}

export interface GeminiOptions extends PresetOptions {
  /** Default https://generativelanguage.googleapis.com/v1beta */
  baseURL?: string
  apiKey?: string
}

/** Gemini `streamGenerateContent?alt=sse`. Assistant turns are sent as role `model`. */
export function gemini(options: GeminiOptions): Transport {
  const baseURL = trimSlash(options.baseURL ?? 'https://generativelanguage.googleapis.com/v1beta')
  return streamingHttpTransport(
    {
      ...common(options),
      url: `${baseURL}/models/${encodeURIComponent(options.model)}:streamGenerateContent?alt=sse`,
      protocol: 'gemini',
      headers: merged(options.apiKey ? { 'x-goog-api-key': options.apiKey } : {}, options.headers),
      body: async (request) => ({
        ...geminiRequest(await readable(request), options),
        ...options.extraBody,
      }),
    },
    geminiDecoder,
  )
}

/** What the demo server's simulated model can be asked to do, per request. */
export interface SimulationOptions {
  seed?: number
  ttftMs?: number
  tokensPerSecond?: number
  /** 0..1: random variation of the delay between tokens. */
  jitter?: number
  /** 0..1: how often tokens arrive in bursts. */
  burstiness?: number
  reasoning?: boolean
  /** Answer length in tokens. */
  tokens?: number
  /** Run a simulated web search first: a provider-executed call, its results, and sources cited in the answer. */
  webSearch?: boolean
  /** Draw a small image (a `file` part). */
  image?: boolean
  fault?:
    | { type: 'drop'; afterTokens: number }
    | { type: 'stall'; afterTokens: number; ms: number }
    | { type: 'http'; status: 429 | 500 | 503 | 529; retryAfterS?: number }
    | { type: 'malformed'; afterTokens: number }
    | { type: 'provider-error'; afterTokens: number }
}

export interface DemoServerOptions extends Omit<OpenAICompatibleOptions, 'model'> {
  /** Default http://127.0.0.1:8787/v1 */
  baseURL?: string
  model?: string
  simulate?: SimulationOptions | (() => SimulationOptions)
}

/** The demo server's OpenAI-compatible endpoint, resumable, with simulated-model controls. */
export function demoServer(options: DemoServerOptions = {}): Transport {
  const { simulate } = options
  const extraBody: Record<string, unknown> = { ...options.extraBody }
  // A getter, read each time a body is built: a function `simulate` is asked per request.
  if (simulate) {
    Object.defineProperty(extraBody, 'rivulet', {
      enumerable: true,
      get: () => (typeof simulate === 'function' ? simulate() : simulate),
    })
  }
  return openaiCompatible({
    resume: true,
    ...options,
    baseURL: options.baseURL ?? 'http://127.0.0.1:8787/v1',
    model: options.model ?? 'rivulet-sim',
    extraBody,
  })
}

function common(options: PresetOptions): Partial<HttpTransportOptions> {
  const out: Partial<HttpTransportOptions> = {}
  if (options.fetch) out.fetch = options.fetch
  if (options.lenient !== undefined) out.lenient = options.lenient
  if (options.onMalformed) out.onMalformed = options.onMalformed
  if (options.credentials) out.credentials = options.credentials
  if (options.maxTokens !== undefined) out.maxTokens = options.maxTokens
  return out
}

function merged(own: Record<string, string>, extra: HeadersSource | undefined): HeadersSource {
  if (extra === undefined) return own
  return async () => {
    const headers = new Headers(own)
    for (const [name, value] of new Headers(typeof extra === 'function' ? await extra() : extra))
      headers.set(name, value)
    return headers
  }
}

/** The conversation and tools, with attached `blob:` files read, for a request builder. */
async function readable(request: TransportRequest): Promise<Pick<TransportRequest, 'messages' | 'tools'>> {
  return { messages: await withReadableFiles(request.messages), tools: request.tools }
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url
}
