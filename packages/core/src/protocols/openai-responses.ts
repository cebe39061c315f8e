/**
 * OpenAI Responses API streaming (`POST /v1/responses`, `stream: true`), and the servers that
 * copy it (vLLM, Ollama, LM Studio and OpenRouter serve gpt-oss and others through it).
 * https://platform.openai.com/docs/api-reference/responses-streaming
 *
 * Each SSE event is `event: <type>` with JSON data carrying the same `type` and a
 * `sequence_number`. The answer is a list of output items (`message`, `reasoning`,
 * `function_call`, …), each opened by `response.output_item.added` and closed by
 * `response.output_item.done`; deltas point at their item by `item_id` and `output_index`.
 * The stream ends with `response.completed`, `response.incomplete` or `response.failed`,
 * whose `response` carries the usage. There is no `[DONE]`.
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

/** `response.incomplete` says why in `incomplete_details.reason`. */
const INCOMPLETE: Readonly<Record<string, FinishReason>> = {
  max_output_tokens: 'length',
  content_filter: 'content-filter',
}

/** The events that carry output; a server that skipped `response.created` still gets its `start`. */
const OUTPUT_EVENTS: ReadonlySet<string> = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.output_item.added',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.output_item.done',
])

interface PendingToolCall {
  index: number
  id: string
  name: string
  args: string[]
  done: boolean
}

/** Decodes a Responses API event stream into `StreamPart`s. */
export function openaiResponsesDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  // Function calls in order of appearance, found by `item_id` or, failing that, `output_index`.
  const tools: PendingToolCall[] = []
  const toolsByItem = new Map<string, PendingToolCall>()
  const toolsByOutput = new Map<number, PendingToolCall>()
  // Where the last reasoning delta went: a new summary part of the same item is a new paragraph.
  let reasoningItem: unknown
  let reasoningPart: unknown

  const start = (out: StreamPart[], response?: Record<string, unknown>) => {
    if (started) return
    started = true
    const part: StreamPart = { type: 'start' }
    if (typeof response?.id === 'string') part.messageId = response.id
    if (typeof response?.model === 'string') part.model = response.model
    out.push(part)
  }

  const deltaOf = (event: Record<string, unknown>, data: string): string => {
    if (typeof event.delta !== 'string') throw malformed(`${event.type as string} delta`, data)
    return event.delta
  }

  const reasoning = (event: Record<string, unknown>, part: unknown, data: string, out: StreamPart[]) => {
    let text = deltaOf(event, data)
    if (text === '') return
    // Summary parts are separate paragraphs ("**Title**\n\nBody"); their text has no break between them.
    if (reasoningItem !== undefined && reasoningItem === event.item_id && reasoningPart !== part) text = `\n\n${text}`
    reasoningItem = event.item_id
    reasoningPart = part
    out.push({ type: 'reasoning-delta', text })
  }

  const findTool = (event: Record<string, unknown>): PendingToolCall | undefined =>
    (typeof event.item_id === 'string' ? toolsByItem.get(event.item_id) : undefined) ??
    (typeof event.output_index === 'number' ? toolsByOutput.get(event.output_index) : undefined)

  /** A function call opened by `output_item.added` (or first seen later, from servers that skip it). */
  const openTool = (
    item: Record<string, unknown>,
    outputIndex: unknown,
    out: StreamPart[],
    itemId = item.id,
  ): PendingToolCall => {
    const index = tools.length
    // `call_id` is what the function's output must refer to; `id` (fc_…) only names the item.
    const id = typeof item.call_id === 'string' ? item.call_id : typeof itemId === 'string' ? itemId : `call_${index}`
    const name = typeof item.name === 'string' ? item.name : ''
    const argsDelta = typeof item.arguments === 'string' ? item.arguments : ''
    const call: PendingToolCall = { index, id, name, args: argsDelta === '' ? [] : [argsDelta], done: false }
    tools.push(call)
    if (typeof itemId === 'string') toolsByItem.set(itemId, call)
    if (typeof outputIndex === 'number') toolsByOutput.set(outputIndex, call)
    out.push({ type: 'tool-call-delta', index, id, name, argsDelta })
    return call
  }

  /** The complete call, once: `arguments` from the done event wins over the pieces (they agree on OpenAI). */
  const closeTool = (call: PendingToolCall, full: unknown, name: unknown, data: string, out: StreamPart[]) => {
    if (call.done) return
    if (full != null && typeof full !== 'string') throw malformed('function call arguments', data)
    call.done = true
    if (call.name === '' && typeof name === 'string') call.name = name
    let pieces: readonly string[] = call.args
    if (typeof full === 'string') {
      // Nothing streamed (some compatible servers send only the done event): the deltas still add up.
      if (call.args.length === 0 && full !== '')
        out.push({ type: 'tool-call-delta', index: call.index, argsDelta: full })
      pieces = [full]
    }
    out.push({
      type: 'tool-call',
      index: call.index,
      id: call.id,
      name: call.name,
      args: parseToolArgs(pieces, call.name),
    })
  }

  const terminal = (event: Record<string, unknown>, data: string, out: StreamPart[]) => {
    const response = event.response
    if (!isObject(response)) throw malformed(`${event.type as string} response`, data)
    start(out, response)
    closed = true
    if (event.type === 'response.failed') {
      throw providerError(isObject(response.error) ? response.error : {}, 'The response failed')
    }
    for (const call of tools) closeTool(call, undefined, undefined, data, out)
    if (isObject(response.usage)) out.push(openaiUsagePart(response.usage, 'input_tokens', 'output_tokens'))
    if (event.type === 'response.completed') {
      out.push({ type: 'finish', reason: tools.length > 0 ? 'tool-calls' : 'stop', raw: 'completed' })
      return
    }
    const details = response.incomplete_details
    const reason = isObject(details) && typeof details.reason === 'string' ? details.reason : 'incomplete'
    out.push(finishPart(reason, INCOMPLETE))
  }

  return {
    framing: 'sse',
    get closed() {
      return closed
    },
    message(data, sseName, out) {
      const event = parseEventJSON(data, 'Responses API event')
      // The data's `type` is the event's name; the SSE `event:` line repeats it.
      const type = typeof event.type === 'string' ? event.type : sseName
      if (type === undefined) throw malformed('Responses API event (no type)', data)
      event.type = type
      switch (type) {
        case 'error':
          // Documented flat `{type, code, message, param}`; OpenAI also sends `{type, error: {…}}`.
          throw providerError(isObject(event.error) ? event.error : { message: event.message, code: event.code })
        case 'response.created':
        case 'response.queued':
        case 'response.in_progress':
          if (!isObject(event.response)) throw malformed(`${type} response`, data)
          start(out, event.response)
          return
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
          terminal(event, data, out)
          return
      }
      // Anything else (content parts, *.done of text, hosted tools, keepalive…) adds nothing.
      if (!OUTPUT_EVENTS.has(type)) return
      start(out)
      switch (type) {
        case 'response.output_text.delta':
        case 'response.refusal.delta': {
          // A refusal is what the model says instead of an answer: the user should read it.
          const text = deltaOf(event, data)
          if (text !== '') out.push({ type: 'text-delta', text })
          return
        }
        case 'response.reasoning_summary_text.delta':
          reasoning(event, event.summary_index, data, out)
          return
        case 'response.reasoning_text.delta':
          // Raw chain of thought, streamed by open-weight models (gpt-oss on vLLM, Ollama).
          reasoning(event, event.content_index, data, out)
          return
        case 'response.output_item.added': {
          if (!isObject(event.item)) throw malformed(`${type} item`, data)
          if (event.item.type === 'function_call') openTool(event.item, event.output_index, out)
          return
        }
        case 'response.function_call_arguments.delta': {
          const argsDelta = deltaOf(event, data)
          const call = findTool(event) ?? openTool({}, event.output_index, out, event.item_id)
          if (argsDelta === '' || call.done) return
          call.args.push(argsDelta)
          out.push({ type: 'tool-call-delta', index: call.index, argsDelta })
          return
        }
        case 'response.function_call_arguments.done': {
          const call = findTool(event) ?? openTool({ name: event.name }, event.output_index, out, event.item_id)
          closeTool(call, event.arguments, event.name, data, out)
          return
        }
        case 'response.output_item.done': {
          const item = event.item
          if (!isObject(item)) throw malformed(`${type} item`, data)
          if (item.type !== 'function_call') return
          const call =
            findTool({ item_id: item.id, output_index: event.output_index }) ?? openTool(item, event.output_index, out)
          closeTool(call, item.arguments, item.name, data, out)
          return
        }
      }
    },
    end() {
      throw interrupted('response.completed, response.incomplete or response.failed arrived')
    },
  }
}

export interface OpenAIResponsesEncoderOptions {
  /** The response id (`resp_…`); a `start` part's `messageId` replaces it. */
  id?: string
  model?: string
  /** Unix seconds. */
  createdAt?: number
}

type Usage = Extract<StreamPart, { type: 'usage' }>

interface OpenItem {
  kind: 'message' | 'reasoning'
  id: string
  outputIndex: number
  text: string[]
}

interface OpenCall {
  id: string
  outputIndex: number
  callId: string
  name: string
  args: string[]
}

/**
 * Writes parts as a Responses API event stream, with every event a real stream has
 * (`response.created`, `response.in_progress`, `output_item.added`, `content_part.added`,
 * deltas, the `*.done` events, `output_item.done`, then `response.completed` / `incomplete` /
 * `failed`), numbered by `sequence_number`, so the official `openai` SDK can read it.
 * Usage is held for the terminal event, which carries it in `response.usage`.
 */
export function openaiResponsesEncoder(options: OpenAIResponsesEncoderOptions = {}): ProtocolEncoder {
  let id = options.id ?? 'resp_rivulet'
  let model = options.model ?? 'rivulet'
  const createdAt = options.createdAt ?? 0
  let sequence = 0
  let created = false
  let usage: Usage | undefined
  // Finished items, for the terminal event's `response.output`.
  const output: Record<string, unknown>[] = []
  let outputCount = 0
  let current: OpenItem | undefined
  const calls = new Map<number, OpenCall>()

  const event = (type: string, body: Record<string, unknown>) =>
    sseEvent(JSON.stringify({ type, sequence_number: sequence++, ...body }), type)

  const response = (status: string, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model,
    output: status === 'in_progress' ? [] : output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...extra,
  })

  const begin = () => {
    if (created) return ''
    created = true
    return (
      event('response.created', { response: response('in_progress') }) +
      event('response.in_progress', { response: response('in_progress') })
    )
  }

  const closeItem = () => {
    const item = current
    if (item === undefined) return ''
    current = undefined
    const text = item.text.join('')
    const at = { item_id: item.id, output_index: item.outputIndex }
    let wire: string
    let done: Record<string, unknown>
    if (item.kind === 'message') {
      const part = { type: 'output_text', annotations: [], logprobs: [], text }
      wire =
        event('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] }) +
        event('response.content_part.done', { ...at, content_index: 0, part })
      done = { id: item.id, type: 'message', status: 'completed', content: [part], role: 'assistant' }
    } else {
      const part = { type: 'summary_text', text }
      wire =
        event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text }) +
        event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part })
      done = { id: item.id, type: 'reasoning', summary: [part] }
    }
    output.push(done)
    return wire + event('response.output_item.done', { output_index: item.outputIndex, item: done })
  }

  const openItem = (kind: OpenItem['kind']) => {
    if (current?.kind === kind) return ''
    let wire = closeItem()
    const outputIndex = outputCount++
    const item: OpenItem = { kind, id: `${kind === 'message' ? 'msg' : 'rs'}_${outputIndex}`, outputIndex, text: [] }
    current = item
    const at = { item_id: item.id, output_index: outputIndex }
    if (kind === 'message') {
      wire +=
        event('response.output_item.added', {
          output_index: outputIndex,
          item: { id: item.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
        }) +
        event('response.content_part.added', {
          ...at,
          content_index: 0,
          part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
        })
    } else {
      wire +=
        event('response.output_item.added', {
          output_index: outputIndex,
          item: { id: item.id, type: 'reasoning', summary: [] },
        }) +
        event('response.reasoning_summary_part.added', {
          ...at,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        })
    }
    return wire
  }

  const openCall = (index: number, callId: string | undefined, name: string | undefined) => {
    let call = calls.get(index)
    if (call !== undefined) return { call, wire: '' }
    const wire = closeItem()
    const outputIndex = outputCount++
    call = { id: `fc_${outputIndex}`, outputIndex, callId: callId ?? `call_${index}`, name: name ?? '', args: [] }
    calls.set(index, call)
    const item = {
      id: call.id,
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: call.callId,
      name: call.name,
    }
    return { call, wire: wire + event('response.output_item.added', { output_index: outputIndex, item }) }
  }

  const argsDelta = (call: OpenCall, delta: string) => {
    if (delta === '') return ''
    call.args.push(delta)
    return event('response.function_call_arguments.delta', {
      item_id: call.id,
      output_index: call.outputIndex,
      delta,
    })
  }

  const closeCall = (index: number, call: OpenCall) => {
    calls.delete(index)
    const args = call.args.join('')
    const done = {
      id: call.id,
      type: 'function_call',
      status: 'completed',
      arguments: args,
      call_id: call.callId,
      name: call.name,
    }
    output.push(done)
    return (
      event('response.function_call_arguments.done', {
        item_id: call.id,
        output_index: call.outputIndex,
        name: call.name,
        arguments: args,
      }) + event('response.output_item.done', { output_index: call.outputIndex, item: done })
    )
  }

  const usageBody = (part: Usage) => ({
    input_tokens: part.inputTokens ?? 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: part.outputTokens ?? 0,
    output_tokens_details: { reasoning_tokens: part.reasoningTokens ?? 0 },
    total_tokens: (part.inputTokens ?? 0) + (part.outputTokens ?? 0),
  })

  return {
    push(part) {
      switch (part.type) {
        case 'start':
          if (created) return ''
          if (part.messageId !== undefined) id = part.messageId
          if (part.model !== undefined) model = part.model
          return begin()
        case 'text-delta':
        case 'reasoning-delta': {
          if (part.text === '') return ''
          const kind = part.type === 'text-delta' ? 'message' : 'reasoning'
          const wire = begin() + openItem(kind)
          const item = current as OpenItem
          item.text.push(part.text)
          const at = { item_id: item.id, output_index: item.outputIndex }
          return (
            wire +
            (kind === 'message'
              ? event('response.output_text.delta', { ...at, content_index: 0, delta: part.text, logprobs: [] })
              : event('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: part.text }))
          )
        }
        case 'tool-call-delta': {
          const opened = openCall(part.index, part.id, part.name)
          return begin() + opened.wire + argsDelta(opened.call, part.argsDelta)
        }
        case 'tool-call': {
          const streamed = calls.has(part.index)
          const opened = openCall(part.index, part.id, part.name)
          // Not streamed before: the whole arguments go out as one delta, as a short call does on OpenAI.
          const wire = begin() + opened.wire + (streamed ? '' : argsDelta(opened.call, JSON.stringify(part.args)))
          return wire + closeCall(part.index, opened.call)
        }
        case 'usage':
          usage = part
          return ''
        case 'finish': {
          let wire = begin() + closeItem()
          for (const [index, call] of calls) wire += closeCall(index, call)
          const extra: Record<string, unknown> = usage === undefined ? {} : { usage: usageBody(usage) }
          if (part.reason === 'error') {
            const error = { code: 'server_error', message: 'The response failed' }
            return wire + event('response.failed', { response: response('failed', { ...extra, error }) })
          }
          if (part.reason === 'stop' || part.reason === 'tool-calls' || part.raw === 'completed') {
            return wire + event('response.completed', { response: response('completed', extra) })
          }
          // The provider's own word when it is one of ours (or unknown to us), else our word for the reason.
          const raw = part.raw !== undefined && (INCOMPLETE[part.raw] ?? 'other') === part.reason ? part.raw : undefined
          const reason = rawFinish({ reason: part.reason, ...(raw !== undefined && { raw }) }, INCOMPLETE, 'other')
          extra.incomplete_details = { reason }
          return wire + event('response.incomplete', { response: response('incomplete', extra) })
        }
      }
    },
    error(error) {
      return event('error', { code: error.code ?? null, message: error.message, param: null })
    },
    end() {
      return ''
    },
  }
}
