/**
 * OpenAI Chat Completions streaming (`stream: true`), and the servers that copy it
 * (Ollama `/v1`, vLLM, llama.cpp, OpenRouter, DeepSeek, Mistral, Perplexity, Qwen/DashScope).
 * https://platform.openai.com/docs/api-reference/chat-streaming
 *
 * Each SSE event is a `chat.completion.chunk`; `data: [DONE]` ends the stream. With
 * `stream_options.include_usage` every chunk carries `usage: null` and one last chunk with
 * empty `choices` carries the totals. Only choice 0 is decoded (`n: 1`, as chat UIs use).
 */
import type { StreamError } from '../errors.js'
import type { FinishReason, StreamPart } from '../types.js'
import {
  encodedEvents,
  finishPart,
  interrupted,
  isObject,
  malformed,
  openaiUsagePart,
  type ProtocolDecoder,
  type ProtocolEncoder,
  parseEventJSON,
  parseToolArgs,
  providerError,
  rawFinish,
  sseEvent,
  wordTable,
} from './protocol.js'

type Usage = Extract<StreamPart, { type: 'usage' }>
type Source = Extract<StreamPart, { type: 'source' }>
type FilePart = Extract<StreamPart, { type: 'file' }>

const FINISH = wordTable<FinishReason>({
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
})

/**
 * The largest tool-call `index` taken. Parallel calls are counted in ones or tens; an index past
 * this is a malformed chunk, not a reason to keep state for it.
 */
const MAX_TOOL_CALL_INDEX = 1023

interface PendingToolCall {
  index: number
  /** The first non-empty id sent; DashScope repeats `"id":""` on later deltas. */
  id: string | undefined
  name: string
  args: string[]
}

/** The media type of a `data:` URL; other URLs say nothing about theirs. */
function mediaTypeOf(url: string): string {
  if (!url.startsWith('data:')) return 'image/*'
  const end = url.search(/[;,]/)
  return end > 5 ? url.slice(5, end) : 'application/octet-stream'
}

export function openaiChatDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  let finishRaw: string | undefined
  // Keyed by the call's `index` (never used to index an array: an index is untrusted input).
  const tools = new Map<number, PendingToolCall>()
  let toolsEmitted = false
  // Perplexity repeats its `citations` on every chunk: each source goes out once.
  const sourcesSeen = new Set<string>()

  /** The finished call; under `length` one whose arguments were cut off is reported as incomplete. */
  const completeCall = (call: PendingToolCall): StreamPart => {
    const { index, name } = call
    const id = call.id ?? `call_${index}`
    if (finishRaw !== 'length') return { type: 'tool-call', index, id, name, args: parseToolArgs(call.args, name) }
    // The token limit fell inside the arguments: they do not parse (or never began).
    const argsText = call.args.join('')
    if (argsText.trim() !== '') {
      try {
        return { type: 'tool-call', index, id, name, args: JSON.parse(argsText) }
      } catch {}
    }
    return { type: 'tool-call-incomplete', index, id, name, argsText }
  }

  /** Every call, in the order they began; one whose arguments do not parse throws after the others went out. */
  const emitToolCalls = (out: StreamPart[]) => {
    if (toolsEmitted) return
    toolsEmitted = true
    let bad: unknown
    for (const call of tools.values()) {
      try {
        out.push(completeCall(call))
      } catch (error) {
        bad ??= error
      }
    }
    if (bad !== undefined) throw bad
  }

  /** One tool-call delta; a malformed one is returned, not thrown, so the calls after it still count. */
  const toolDelta = (call: unknown, position: number, data: string, out: StreamPart[]): StreamError | undefined => {
    if (!isObject(call)) return malformed('chat.completion.chunk tool call', data)
    // Some compatible servers (Ollama) send whole calls without `index`: position stands in.
    const index = call.index ?? position
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_TOOL_CALL_INDEX) {
      return malformed('chat.completion.chunk tool call index', data)
    }
    const fn = isObject(call.function) ? call.function : {}
    let argsDelta = ''
    if (typeof fn.arguments === 'string') argsDelta = fn.arguments
    else if (fn.arguments != null) {
      // A few servers send the parsed object instead of JSON text.
      try {
        argsDelta = JSON.stringify(fn.arguments)
      } catch {
        return malformed('chat.completion.chunk tool call arguments', data) // nested too deep to write
      }
    }
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined
    const name = typeof fn.name === 'string' && fn.name !== '' ? fn.name : undefined
    const part: StreamPart = { type: 'tool-call-delta', index, argsDelta }
    const pending = tools.get(index)
    if (pending === undefined) {
      tools.set(index, { index, id, name: name ?? '', args: argsDelta === '' ? [] : [argsDelta] })
      if (id !== undefined) part.id = id
    } else {
      if (pending.id === undefined && id !== undefined) {
        pending.id = id
        part.id = id
      }
      if (name !== undefined) pending.name += name
      if (argsDelta !== '') pending.args.push(argsDelta)
    }
    if (name !== undefined) part.name = name
    out.push(part)
    return undefined
  }

  const toolDeltas = (calls: unknown, data: string, out: StreamPart[]): StreamError | undefined => {
    if (!Array.isArray(calls)) return malformed('chat.completion.chunk tool_calls', data)
    let bad: StreamError | undefined
    for (let position = 0; position < calls.length; position++) {
      bad = toolDelta(calls[position], position, data, out) ?? bad
    }
    return bad
  }

  const source = (url: unknown, title: unknown, out: StreamPart[], date?: unknown) => {
    if (typeof url !== 'string' || url === '' || sourcesSeen.has(url)) return
    sourcesSeen.add(url)
    const part: Source = { type: 'source', url }
    if (typeof title === 'string' && title !== '') part.title = title
    if (typeof date === 'string' && date !== '') part.providerMetadata = { perplexity: { date } }
    out.push(part)
  }

  /** Perplexity: `search_results` (url, title, date) and the older `citations` (URLs), on every chunk. */
  const perplexitySources = (chunk: Record<string, unknown>, data: string, out: StreamPart[]) => {
    const { search_results: results, citations } = chunk
    if (results != null) {
      if (!Array.isArray(results)) throw malformed('chat.completion.chunk search_results', data)
      for (const result of results) if (isObject(result)) source(result.url, result.title, out, result.date)
    }
    if (citations != null) {
      if (!Array.isArray(citations)) throw malformed('chat.completion.chunk citations', data)
      for (const url of citations) source(url, undefined, out)
    }
  }

  /** `delta.annotations`: `url_citation`s of OpenAI's search models (and OpenRouter's web plugin). */
  const annotations = (list: unknown, data: string, out: StreamPart[]) => {
    if (!Array.isArray(list)) throw malformed('chat.completion.chunk delta.annotations', data)
    for (const annotation of list) {
      if (!isObject(annotation) || annotation.type !== 'url_citation' || !isObject(annotation.url_citation)) continue
      source(annotation.url_citation.url, annotation.url_citation.title, out)
    }
  }

  /** `delta.images` (OpenRouter's image models): `{ type: 'image_url', image_url: { url } }`. */
  const images = (list: unknown, data: string, out: StreamPart[]) => {
    if (!Array.isArray(list)) throw malformed('chat.completion.chunk delta.images', data)
    for (const image of list) {
      const url = isObject(image) && isObject(image.image_url) ? image.image_url.url : undefined
      if (typeof url !== 'string' || url === '') throw malformed('chat.completion.chunk image', data)
      const part: FilePart = { type: 'file', mediaType: mediaTypeOf(url), url }
      out.push(part)
    }
  }

  /**
   * Mistral's reasoning models send `content` as a list of chunks:
   * `{type:'thinking', thinking:[{type:'text', text}]}` and `{type:'text', text}`.
   * https://docs.mistral.ai/capabilities/reasoning/
   */
  const contentChunks = (list: unknown[], data: string, out: StreamPart[]) => {
    for (const chunk of list) {
      if (!isObject(chunk)) throw malformed('chat.completion.chunk delta.content', data)
      if (chunk.type === 'text') {
        if (typeof chunk.text === 'string' && chunk.text !== '') out.push({ type: 'text-delta', text: chunk.text })
      } else if (chunk.type === 'thinking') {
        const thinking = typeof chunk.thinking === 'string' ? [{ type: 'text', text: chunk.thinking }] : chunk.thinking
        if (!Array.isArray(thinking)) throw malformed('chat.completion.chunk thinking', data)
        for (const piece of thinking) {
          if (isObject(piece) && typeof piece.text === 'string' && piece.text !== '')
            out.push({ type: 'reasoning-delta', text: piece.text })
        }
      }
      // Other chunk types (references, images of the prompt) carry nothing to show.
    }
  }

  const finish = (out: StreamPart[]) => {
    emitToolCalls(out)
    out.push(finishRaw === undefined ? { type: 'finish', reason: 'other' } : finishPart(finishRaw, FINISH))
  }

  return {
    framing: 'sse',
    get closed() {
      return closed
    },
    message(data, _event, out) {
      if (data === '[DONE]') {
        closed = true
        finish(out)
        return
      }
      const chunk = parseEventJSON(data, 'chat.completion.chunk')
      if (chunk.error != null) throw providerError(chunk)
      if (!started) {
        started = true
        const start: StreamPart = { type: 'start' }
        if (typeof chunk.id === 'string') start.messageId = chunk.id
        if (typeof chunk.model === 'string') start.model = chunk.model
        out.push(start)
      }
      if (chunk.citations !== undefined || chunk.search_results !== undefined) perplexitySources(chunk, data, out)
      // A bad tool call is reported after the rest of the chunk (text, other calls, the finish) is read.
      let badToolCall: StreamError | undefined
      const { choices } = chunk
      if (choices !== undefined && !Array.isArray(choices)) throw malformed('chat.completion.chunk choices', data)
      if (choices !== undefined) {
        for (const choice of choices as unknown[]) {
          if (!isObject(choice)) throw malformed('chat.completion.chunk choice', data)
          if ((choice.index ?? 0) !== 0) continue
          const delta = choice.delta
          if (isObject(delta)) {
            // DeepSeek and vLLM say `reasoning_content`; Ollama and OpenRouter say `reasoning`.
            const reasoning = delta.reasoning_content ?? delta.reasoning
            if (typeof reasoning === 'string' && reasoning !== '')
              out.push({ type: 'reasoning-delta', text: reasoning })
            // Plain text first: it is nearly every chunk.
            if (typeof delta.content === 'string') {
              if (delta.content !== '') out.push({ type: 'text-delta', text: delta.content })
            } else if (Array.isArray(delta.content)) contentChunks(delta.content, data, out)
            else if (delta.content != null) throw malformed('chat.completion.chunk delta.content', data)
            // A refusal is what the model says instead of an answer: the user should read it.
            if (typeof delta.refusal === 'string' && delta.refusal !== '')
              out.push({ type: 'text-delta', text: delta.refusal })
            if (delta.tool_calls != null) badToolCall = toolDeltas(delta.tool_calls, data, out) ?? badToolCall
            if (delta.annotations != null) annotations(delta.annotations, data, out)
            if (delta.images != null) images(delta.images, data, out)
            // `obfuscation` is random padding against length side channels: never text.
          }
          if (typeof choice.finish_reason === 'string') {
            finishRaw = choice.finish_reason
            emitToolCalls(out)
          }
        }
      }
      if (isObject(chunk.usage)) out.push(openaiUsagePart(chunk.usage, 'prompt_tokens', 'completion_tokens'))
      if (badToolCall !== undefined) throw badToolCall
    },
    end(out) {
      // No `[DONE]`, but a finish_reason is still a proper end (some compatible servers stop there).
      if (finishRaw === undefined) throw interrupted('a finish_reason or [DONE] arrived')
      finish(out)
    },
  }
}

export interface OpenAIChatEncoderOptions {
  id?: string
  model?: string
  /** Unix seconds. */
  created?: number
}

/**
 * Writes parts as an OpenAI Chat Completions stream. Usage is written after the finish
 * chunk, as OpenAI does with `stream_options.include_usage`; `end()` writes `[DONE]`.
 * Sources go out as Perplexity's `search_results`, files as OpenRouter's `delta.images`.
 */
export function openaiChatEncoder(options: OpenAIChatEncoderOptions = {}): ProtocolEncoder {
  let id = options.id ?? 'chatcmpl-rivulet'
  let model = options.model ?? 'rivulet'
  const created = options.created ?? 0
  let usage: Usage | undefined
  const streamedTools = new Set<number>()

  const body = (extra: Record<string, unknown>) =>
    sseEvent(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, ...extra }))

  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    body({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })

  const toolCallChunk = (index: number, callId: string, name: string, args: string) => {
    streamedTools.add(index)
    return chunk({ tool_calls: [{ index, id: callId, type: 'function', function: { name, arguments: args } }] })
  }

  return {
    push(part) {
      switch (part.type) {
        case 'start':
          if (part.messageId !== undefined) id = part.messageId
          if (part.model !== undefined) model = part.model
          return chunk({ role: 'assistant', content: '' })
        case 'text-delta':
          return chunk({ content: part.text })
        case 'reasoning-delta':
          return chunk({ reasoning_content: part.text })
        case 'text-end':
        case 'reasoning-end':
          // Chat Completions has no block boundaries and nowhere to put block metadata.
          return ''
        case 'tool-call-delta': {
          streamedTools.add(part.index)
          const fn: Record<string, string> = {}
          if (part.name !== undefined) fn.name = part.name
          fn.arguments = part.argsDelta
          const call: Record<string, unknown> = { index: part.index }
          if (part.id !== undefined) Object.assign(call, { id: part.id, type: 'function' })
          call.function = fn
          return chunk({ tool_calls: [call] })
        }
        case 'tool-call':
          // A provider-executed call has no Chat Completions form: as a function call the client would run it.
          if (part.providerExecuted === true || streamedTools.has(part.index)) return ''
          return toolCallChunk(part.index, part.id, part.name, JSON.stringify(part.args))
        case 'tool-call-incomplete':
          // The cut-off arguments as they arrived; the `length` finish that follows marks them incomplete.
          if (streamedTools.has(part.index)) return ''
          return toolCallChunk(part.index, part.id, part.name, part.argsText)
        case 'tool-result':
        case 'data':
        case 'step-start':
          // Provider-run tools, app data and server-side tool rounds have no Chat Completions form.
          return ''
        case 'source': {
          // Perplexity's shape; a source without a URL (a document) has none.
          if (part.url === undefined) return ''
          const result: Record<string, unknown> = { url: part.url }
          if (part.title !== undefined) result.title = part.title
          const date = part.providerMetadata?.perplexity?.date
          if (date !== undefined) result.date = date
          return body({ choices: [], search_results: [result] })
        }
        case 'file':
          // A partial preview is replaced by the final file with the same id: only the final one is written.
          if (part.partial === true) return ''
          return chunk({ images: [{ type: 'image_url', image_url: { url: part.url } }] })
        case 'usage':
          usage = part
          return ''
        case 'finish': {
          let text = chunk({}, rawFinish(part, FINISH, 'stop'))
          if (usage !== undefined) {
            const counts: Record<string, unknown> = {
              prompt_tokens: usage.inputTokens ?? 0,
              completion_tokens: usage.outputTokens ?? 0,
              total_tokens: (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
            }
            if (usage.cachedInputTokens !== undefined) {
              counts.prompt_tokens_details = { cached_tokens: usage.cachedInputTokens }
            }
            if (usage.reasoningTokens !== undefined) {
              counts.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens }
            }
            text += body({ choices: [], usage: counts })
          }
          return text
        }
      }
    },
    error(error) {
      return sseEvent(
        JSON.stringify({ error: { message: error.message, type: 'server_error', code: error.code ?? null } }),
      )
    },
    end() {
      return sseEvent('[DONE]')
    },
  }
}

/**
 * The whole (non-streamed) `chat.completion` for `parts`: the stream `openaiChatEncoder` writes,
 * accumulated as the `openai` SDK accumulates it, so a whole answer holds exactly what its stream
 * would (the finish word kept: a `content-filter` finish stays `content_filter`).
 * https://platform.openai.com/docs/api-reference/chat/object
 *
 * @example
 * Response.json(openaiChatCompletion([{ type: 'text-delta', text: 'Hi' }, { type: 'finish', reason: 'stop' }]))
 */
export function openaiChatCompletion(
  parts: Iterable<StreamPart>,
  options: OpenAIChatEncoderOptions = {},
): Record<string, unknown> {
  const encoder = openaiChatEncoder(options)
  let body = ''
  for (const part of parts) body += encoder.push(part)
  body += encoder.end()
  const completion: Record<string, unknown> = { object: 'chat.completion' }
  const message: Record<string, unknown> = { role: 'assistant', content: null, refusal: null, annotations: [] }
  const calls = new Map<number, { id?: string; type: 'function'; function: { name: string; arguments: string } }>()
  let finishReason: unknown = null
  for (const chunk of encodedEvents(body)) {
    Object.assign(completion, { id: chunk.id, created: chunk.created, model: chunk.model })
    if (chunk.usage !== undefined) completion.usage = chunk.usage
    if (Array.isArray(chunk.search_results)) {
      completion.search_results = [...((completion.search_results as unknown[]) ?? []), ...chunk.search_results]
    }
    const choice = (chunk.choices as Record<string, unknown>[] | undefined)?.[0]
    if (choice === undefined) continue
    if (choice.finish_reason !== null) finishReason = choice.finish_reason
    const delta = choice.delta as Record<string, unknown>
    for (const field of ['content', 'reasoning_content'] as const) {
      if (typeof delta[field] === 'string') message[field] = `${message[field] ?? ''}${delta[field]}`
    }
    if (Array.isArray(delta.images)) message.images = [...((message.images as unknown[]) ?? []), ...delta.images]
    for (const call of (delta.tool_calls as Record<string, unknown>[] | undefined) ?? []) {
      const fn = call.function as { name?: string; arguments: string }
      const known = calls.get(call.index as number)
      if (known === undefined) {
        calls.set(call.index as number, {
          id: call.id as string,
          type: 'function',
          function: { name: fn.name ?? '', arguments: fn.arguments },
        })
      } else known.function.arguments += fn.arguments
    }
  }
  // OpenAI sends `content: null` for an answer that only calls tools, and `""` never.
  if (message.content === '' && calls.size > 0) message.content = null
  if (calls.size > 0) message.tool_calls = [...calls.values()]
  return {
    id: completion.id,
    object: 'chat.completion',
    created: completion.created,
    model: completion.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason ?? 'stop' }],
    ...(completion.usage !== undefined && { usage: completion.usage }),
    ...(completion.search_results !== undefined && { search_results: completion.search_results }),
  }
}
