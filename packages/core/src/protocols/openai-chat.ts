/**
 * OpenAI Chat Completions streaming (`stream: true`), and the servers that copy it
 * (Ollama `/v1`, vLLM, llama.cpp, OpenRouter, DeepSeek).
 * https://platform.openai.com/docs/api-reference/chat-streaming
 *
 * Each SSE event is a `chat.completion.chunk`; `data: [DONE]` ends the stream. With
 * `stream_options.include_usage` every chunk carries `usage: null` and one last chunk with
 * empty `choices` carries the totals. Only choice 0 is decoded (`n: 1`, as chat UIs use).
 */
import type { FinishReason, StreamPart } from '../types.js'
import {
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
} from './protocol.js'

const FINISH: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
}

interface PendingToolCall {
  id: string
  name: string
  args: string[]
}

export function openaiChatDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  let finishRaw: string | undefined
  // Indexed by the tool call's `index`; only the first delta of a call has its id and name.
  const tools: PendingToolCall[] = []
  let toolsEmitted = false

  const emitToolCalls = (out: StreamPart[]) => {
    if (toolsEmitted) return
    toolsEmitted = true
    tools.forEach((call, index) => {
      out.push({ type: 'tool-call', index, id: call.id, name: call.name, args: parseToolArgs(call.args, call.name) })
    })
  }

  const toolDeltas = (calls: unknown, data: string, out: StreamPart[]) => {
    if (!Array.isArray(calls)) throw malformed('chat.completion.chunk tool_calls', data)
    for (let position = 0; position < calls.length; position++) {
      const call: unknown = calls[position]
      if (!isObject(call)) throw malformed('chat.completion.chunk tool call', data)
      const fn = isObject(call.function) ? call.function : {}
      // Some compatible servers (Ollama) send whole calls without `index`: position stands in.
      const index = typeof call.index === 'number' ? call.index : position
      // Arguments are JSON text; a few servers send the parsed object instead.
      const argsDelta =
        typeof fn.arguments === 'string' ? fn.arguments : fn.arguments == null ? '' : JSON.stringify(fn.arguments)
      const id = typeof call.id === 'string' ? call.id : undefined
      const name = typeof fn.name === 'string' ? fn.name : undefined
      let pending = tools[index]
      if (pending === undefined) {
        pending = { id: id ?? `call_${index}`, name: name ?? '', args: [] }
        tools[index] = pending
      } else {
        if (id !== undefined) pending.id = id
        if (name !== undefined) pending.name += name
      }
      if (argsDelta !== '') pending.args.push(argsDelta)
      const part: StreamPart = { type: 'tool-call-delta', index, argsDelta }
      if (id !== undefined) part.id = id
      if (name !== undefined) part.name = name
      out.push(part)
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
            if (typeof delta.content === 'string') {
              if (delta.content !== '') out.push({ type: 'text-delta', text: delta.content })
            } else if (delta.content != null) throw malformed('chat.completion.chunk delta.content', data)
            // A refusal is what the model says instead of an answer: the user should read it.
            if (typeof delta.refusal === 'string' && delta.refusal !== '')
              out.push({ type: 'text-delta', text: delta.refusal })
            if (delta.tool_calls != null) toolDeltas(delta.tool_calls, data, out)
            // `obfuscation` is random padding against length side channels: never text.
          }
          if (typeof choice.finish_reason === 'string') {
            finishRaw = choice.finish_reason
            emitToolCalls(out)
          }
        }
      }
      if (isObject(chunk.usage)) out.push(openaiUsagePart(chunk.usage, 'prompt_tokens', 'completion_tokens'))
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
 */
export function openaiChatEncoder(options: OpenAIChatEncoderOptions = {}): ProtocolEncoder {
  let id = options.id ?? 'chatcmpl-rivulet'
  let model = options.model ?? 'rivulet'
  const created = options.created ?? 0
  let usage: Extract<StreamPart, { type: 'usage' }> | undefined
  const streamedTools = new Set<number>()

  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    sseEvent(
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      }),
    )

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
        case 'tool-call': {
          if (streamedTools.has(part.index)) return ''
          streamedTools.add(part.index)
          const call = {
            index: part.index,
            id: part.id,
            type: 'function',
            function: { name: part.name, arguments: JSON.stringify(part.args) },
          }
          return chunk({ tool_calls: [call] })
        }
        case 'usage':
          usage = part
          return ''
        case 'finish': {
          let text = chunk({}, rawFinish(part, FINISH, 'stop'))
          if (usage !== undefined) {
            const body: Record<string, unknown> = {
              prompt_tokens: usage.inputTokens ?? 0,
              completion_tokens: usage.outputTokens ?? 0,
              total_tokens: (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
            }
            if (usage.reasoningTokens !== undefined) {
              body.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens }
            }
            text += sseEvent(
              JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: body }),
            )
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
