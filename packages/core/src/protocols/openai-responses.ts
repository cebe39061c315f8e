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
  wordTable,
} from './protocol.js'

/** `response.incomplete` says why in `incomplete_details.reason`. */
const INCOMPLETE = wordTable<FinishReason>({
  max_output_tokens: 'length',
  content_filter: 'content-filter',
})

/** Tools OpenAI runs itself, by output item type: the name their `tool-call` part carries. */
const HOSTED_TOOLS = wordTable<string>({
  web_search_call: 'web_search',
  file_search_call: 'file_search',
  code_interpreter_call: 'code_interpreter',
  image_generation_call: 'image_generation',
  mcp_call: 'mcp',
})

/**
 * Calls the app runs, other than `function_call`, by output item type: the tool name (where the
 * item has none) and the field holding the input. `mcp_approval_request` asks the app to approve
 * an MCP call; its answer goes back as `mcp_approval_response`.
 */
const CLIENT_CALLS = wordTable<{ name?: string; input: string }>({
  custom_tool_call: { input: 'input' },
  shell_call: { name: 'shell', input: 'action' },
  local_shell_call: { name: 'local_shell', input: 'action' },
  apply_patch_call: { name: 'apply_patch', input: 'operation' },
  mcp_approval_request: { input: 'arguments' },
})

/** Item fields that are not a hosted tool's outcome: its identity, its input, the image bytes. */
const NOT_RESULT: ReadonlySet<string> = new Set([
  'id',
  'type',
  'status',
  'call_id',
  'name',
  'arguments',
  'code',
  'container_id',
  'result',
  'output_format',
])

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
  'response.output_text.annotation.added',
  'response.image_generation_call.partial_image',
  'response.mcp_call_arguments.done',
  'response.code_interpreter_call_code.done',
])

type Usage = Extract<StreamPart, { type: 'usage' }>
type Source = Extract<StreamPart, { type: 'source' }>

interface PendingToolCall {
  index: number
  id: string
  name: string
  args: string[]
  done: boolean
}

/** A call OpenAI runs itself: its `tool-call` goes out once its input is known, its result at `output_item.done`. */
interface HostedCall {
  index: number
  id: string
  type: string
  name: string
  containerId?: unknown
  /** MCP: the server the tool belongs to. */
  metadata?: Record<string, unknown>
  called: boolean
  done: boolean
}

/** `image/png` for `output_format: "png"`; OpenAI's default format is png. */
function imageMediaType(format: unknown): string {
  return typeof format === 'string' && /^[a-z0-9.+-]+$/.test(format) ? `image/${format}` : 'image/png'
}

/** Decodes a Responses API event stream into `StreamPart`s. */
export function openaiResponsesDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  // Every tool call (function, other client calls, hosted) takes the next index.
  let toolCount = 0
  // Calls the app must run: with any, the answer finishes `tool-calls`.
  let clientCalls = 0
  // Function calls in order of appearance, found by `item_id` or, failing that, `output_index`.
  const tools: PendingToolCall[] = []
  const toolsByItem = new Map<string, PendingToolCall>()
  const toolsByOutput = new Map<number, PendingToolCall>()
  const hostedByItem = new Map<string, HostedCall>()
  const hostedByOutput = new Map<number, HostedCall>()
  // Annotations repeat a URL for every sentence they back: each source goes out once.
  const sourcesSeen = new Set<string>()
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
    const index = toolCount++
    clientCalls++
    // `call_id` is what the function's output must refer to; `id` (fc_…) only names the item.
    const id =
      typeof item.call_id === 'string' && item.call_id !== ''
        ? item.call_id
        : typeof itemId === 'string' && itemId !== ''
          ? itemId
          : `call_${index}`
    const name = typeof item.name === 'string' ? item.name : ''
    const argsDelta = typeof item.arguments === 'string' ? item.arguments : ''
    const call: PendingToolCall = { index, id, name, args: argsDelta === '' ? [] : [argsDelta], done: false }
    tools.push(call)
    if (typeof itemId === 'string') toolsByItem.set(itemId, call)
    if (typeof outputIndex === 'number') toolsByOutput.set(outputIndex, call)
    out.push({ type: 'tool-call-delta', index, id, name, argsDelta })
    return call
  }

  /**
   * The complete call, once: `arguments` from the done event wins over the pieces (they agree on
   * OpenAI). Arguments that do not parse may have been cut off by the output token limit: `defer`
   * (`function_call_arguments.done`) leaves the call open for the item's end to decide, `cutOff`
   * (an `incomplete` item or response) reports it as incomplete, `strict` throws kind `parse`.
   */
  const closeTool = (
    call: PendingToolCall,
    full: unknown,
    name: unknown,
    data: string,
    out: StreamPart[],
    mode: 'strict' | 'defer' | 'cutOff' = 'strict',
  ) => {
    if (call.done) return
    if (full != null && typeof full !== 'string') throw malformed('function call arguments', data)
    if (call.name === '' && typeof name === 'string') call.name = name
    if (typeof full === 'string') {
      // Nothing streamed (some compatible servers send only the done event): the deltas still add up.
      if (call.args.length === 0 && full !== '')
        out.push({ type: 'tool-call-delta', index: call.index, argsDelta: full })
      call.args = [full]
    }
    const { index, id } = call
    let args: unknown
    try {
      args = parseToolArgs(call.args, call.name)
    } catch (error) {
      if (mode === 'defer') return
      call.done = true
      if (mode === 'strict') throw error
      out.push({ type: 'tool-call-incomplete', index, id, name: call.name, argsText: call.args.join('') })
      return
    }
    call.done = true
    out.push({ type: 'tool-call', index, id, name: call.name, args })
  }

  /** A call the app runs other than a function call: complete in its `output_item.done`. */
  const clientCall = (item: Record<string, unknown>, out: StreamPart[]) => {
    const kind = CLIENT_CALLS[item.type as string] as { name?: string; input: string }
    const index = toolCount++
    clientCalls++
    const itemId = typeof item.id === 'string' ? item.id : undefined
    const id = typeof item.call_id === 'string' && item.call_id !== '' ? item.call_id : (itemId ?? `call_${index}`)
    const name = typeof item.name === 'string' ? item.name : (kind.name ?? '')
    const input = item[kind.input]
    // A custom tool's input is free text; an MCP approval request's arguments are JSON text.
    const args =
      item.type === 'mcp_approval_request' ? parseToolArgs(typeof input === 'string' ? [input] : [], name) : input
    const openai: Record<string, unknown> = { itemType: item.type }
    if (itemId !== undefined) openai.itemId = itemId
    if (typeof item.server_label === 'string') openai.serverLabel = item.server_label
    out.push({ type: 'tool-call', index, id, name, args: args ?? null, providerMetadata: { openai } })
  }

  const findHosted = (itemId: unknown, outputIndex: unknown): HostedCall | undefined =>
    (typeof itemId === 'string' ? hostedByItem.get(itemId) : undefined) ??
    (typeof outputIndex === 'number' ? hostedByOutput.get(outputIndex) : undefined)

  const openHosted = (item: Record<string, unknown>, outputIndex: unknown): HostedCall => {
    const index = toolCount++
    const type = item.type as string
    const id = typeof item.id === 'string' && item.id !== '' ? item.id : `call_${index}`
    const name = type === 'mcp_call' && typeof item.name === 'string' ? item.name : (HOSTED_TOOLS[type] as string)
    const call: HostedCall = { index, id, type, name, containerId: item.container_id, called: false, done: false }
    if (type === 'mcp_call' && typeof item.server_label === 'string') call.metadata = { serverLabel: item.server_label }
    if (typeof item.id === 'string') hostedByItem.set(item.id, call)
    if (typeof outputIndex === 'number') hostedByOutput.set(outputIndex, call)
    return call
  }

  const hostedToolCall = (call: HostedCall, args: unknown, out: StreamPart[]) => {
    if (call.called) return
    call.called = true
    const part: StreamPart = {
      type: 'tool-call',
      index: call.index,
      id: call.id,
      name: call.name,
      args,
      providerExecuted: true,
    }
    if (call.metadata !== undefined) part.providerMetadata = { openai: call.metadata }
    out.push(part)
  }

  /** A hosted call's input: MCP arguments and code arrive streamed, the others take none (xAI sends `arguments`). */
  const hostedArgs = (call: HostedCall, item: Record<string, unknown>): unknown => {
    if (call.type === 'code_interpreter_call') {
      const containerId = item.container_id ?? call.containerId
      return {
        code: typeof item.code === 'string' ? item.code : '',
        ...(containerId != null && { container_id: containerId }),
      }
    }
    return parseToolArgs(typeof item.arguments === 'string' ? [item.arguments] : [], call.name)
  }

  /** What the hosted tool did: MCP's output (or error), else the item's own fields but its input. */
  const hostedResult = (call: HostedCall, item: Record<string, unknown>, out: StreamPart[]) => {
    if (call.done) return
    call.done = true
    let result: unknown
    let isError = item.status === 'failed'
    if (call.type === 'mcp_call') {
      isError ||= item.error != null
      result = item.error != null ? item.error : (item.output ?? null)
    } else {
      const rest: Record<string, unknown> = {}
      for (const key in item) if (!NOT_RESULT.has(key)) rest[key] = item[key]
      result = rest
    }
    const part: StreamPart = { type: 'tool-result', id: call.id, name: call.name, result, providerExecuted: true }
    if (isError) part.isError = true
    out.push(part)
  }

  const hostedAdded = (item: Record<string, unknown>, outputIndex: unknown, out: StreamPart[]) => {
    const call = openHosted(item, outputIndex)
    // MCP arguments and interpreter code stream in: their call waits for its input.
    if (call.type !== 'mcp_call' && call.type !== 'code_interpreter_call')
      hostedToolCall(call, hostedArgs(call, item), out)
  }

  const hostedDone = (item: Record<string, unknown>, outputIndex: unknown, out: StreamPart[]) => {
    const call = findHosted(item.id, outputIndex) ?? openHosted(item, outputIndex)
    if (call.metadata === undefined && call.type === 'mcp_call' && typeof item.server_label === 'string') {
      call.metadata = { serverLabel: item.server_label }
    }
    hostedToolCall(call, hostedArgs(call, item), out)
    if (call.type === 'image_generation_call' && typeof item.result === 'string' && item.result !== '') {
      out.push({
        type: 'file',
        mediaType: imageMediaType(item.output_format),
        url: `data:${imageMediaType(item.output_format)};base64,${item.result}`,
        id: call.id,
      })
    }
    hostedResult(call, item, out)
  }

  const source = (annotation: unknown, out: StreamPart[]) => {
    if (!isObject(annotation)) return
    const { url, file_id: fileId } = annotation
    const key = typeof url === 'string' && url !== '' ? url : typeof fileId === 'string' && fileId !== '' ? fileId : ''
    if (key === '' || sourcesSeen.has(key)) return
    sourcesSeen.add(key)
    const part: Source = { type: 'source' }
    if (key === url) part.url = url
    else part.id = key
    if (typeof annotation.title === 'string' && annotation.title !== '') part.title = annotation.title
    if (typeof annotation.filename === 'string' && annotation.filename !== '') part.filename = annotation.filename
    if (typeof annotation.container_id === 'string')
      part.providerMetadata = { openai: { containerId: annotation.container_id } }
    out.push(part)
  }

  /** A finished message: annotations no `annotation.added` announced, and the phase to send back. */
  const messageDone = (item: Record<string, unknown>, out: StreamPart[]) => {
    if (Array.isArray(item.content)) {
      for (const content of item.content) {
        if (isObject(content) && Array.isArray(content.annotations)) for (const a of content.annotations) source(a, out)
      }
    }
    // `phase` (commentary / final_answer) must go back with the message: its end carries it.
    if (typeof item.phase === 'string') {
      const openai: Record<string, unknown> = { phase: item.phase }
      if (typeof item.id === 'string') openai.itemId = item.id
      out.push({ type: 'text-end', providerMetadata: { openai } })
    }
  }

  /** A finished reasoning item: its id and encrypted content, needed to send it back (`store: false`). */
  const reasoningDone = (item: Record<string, unknown>, out: StreamPart[]) => {
    const openai: Record<string, unknown> = {}
    if (typeof item.id === 'string') openai.itemId = item.id
    if (typeof item.encrypted_content === 'string') openai.encryptedContent = item.encrypted_content
    if (openai.itemId !== undefined || openai.encryptedContent !== undefined) {
      out.push({ type: 'reasoning-end', providerMetadata: { openai } })
    }
  }

  const terminal = (event: Record<string, unknown>, data: string, out: StreamPart[]) => {
    const response = event.response
    if (!isObject(response)) throw malformed(`${event.type as string} response`, data)
    start(out, response)
    closed = true
    if (event.type === 'response.failed') {
      throw providerError(isObject(response.error) ? response.error : {}, 'The response failed')
    }
    const details = response.incomplete_details
    const reason = isObject(details) && typeof details.reason === 'string' ? details.reason : 'incomplete'
    const cutOff = event.type === 'response.incomplete' && reason === 'max_output_tokens'
    for (const call of tools) closeTool(call, undefined, undefined, data, out, cutOff ? 'cutOff' : 'strict')
    if (isObject(response.usage)) out.push(openaiUsagePart(response.usage, 'input_tokens', 'output_tokens'))
    if (event.type === 'response.completed') {
      out.push({ type: 'finish', reason: clientCalls > 0 ? 'tool-calls' : 'stop', raw: 'completed' })
      return
    }
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
      // Anything else (content parts, *.done of text, progress of hosted tools, keepalive…) adds nothing.
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
          const { item } = event
          if (!isObject(item)) throw malformed(`${type} item`, data)
          if (item.type === 'function_call') openTool(item, event.output_index, out)
          else if (typeof item.type === 'string' && HOSTED_TOOLS[item.type] !== undefined) {
            hostedAdded(item, event.output_index, out)
          }
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
          closeTool(call, event.arguments, event.name, data, out, 'defer')
          return
        }
        case 'response.mcp_call_arguments.done':
        case 'response.code_interpreter_call_code.done': {
          const call = findHosted(event.item_id, event.output_index)
          if (call === undefined) return
          const input =
            type === 'response.mcp_call_arguments.done'
              ? { arguments: event.arguments }
              : { code: event.code, container_id: call.containerId }
          hostedToolCall(call, hostedArgs(call, input), out)
          return
        }
        case 'response.output_text.annotation.added':
          // url_citation, file_citation, container_file_citation, file_path.
          source(event.annotation, out)
          return
        case 'response.image_generation_call.partial_image': {
          const b64 = event.partial_image_b64
          if (typeof b64 !== 'string') throw malformed(`${type} partial_image_b64`, data)
          const id = findHosted(event.item_id, event.output_index)?.id ?? event.item_id
          const mediaType = imageMediaType(event.output_format)
          const part: StreamPart = { type: 'file', mediaType, url: `data:${mediaType};base64,${b64}`, partial: true }
          if (typeof id === 'string') part.id = id
          out.push(part)
          return
        }
        case 'response.output_item.done': {
          const item = event.item
          if (!isObject(item)) throw malformed(`${type} item`, data)
          const itemType = item.type
          if (itemType === 'function_call') {
            const call =
              findTool({ item_id: item.id, output_index: event.output_index }) ??
              openTool(item, event.output_index, out)
            closeTool(call, item.arguments, item.name, data, out, item.status === 'incomplete' ? 'cutOff' : 'strict')
          } else if (itemType === 'message') messageDone(item, out)
          else if (itemType === 'reasoning') reasoningDone(item, out)
          else if (typeof itemType === 'string' && HOSTED_TOOLS[itemType] !== undefined) {
            hostedDone(item, event.output_index, out)
          } else if (typeof itemType === 'string' && CLIENT_CALLS[itemType] !== undefined) clientCall(item, out)
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

interface OpenItem {
  kind: 'message' | 'reasoning'
  id: string
  outputIndex: number
  text: string[]
  /** Reasoning: whether its summary part was opened (only once text arrives). */
  partOpen: boolean
  annotations: Record<string, unknown>[]
}

interface OpenCall {
  id: string
  outputIndex: number
  callId: string
  name: string
  args: string[]
}

/** A hosted call written so far: its item, waiting for its result (and an image's bytes). */
interface OpenHosted {
  item: Record<string, unknown>
  outputIndex: number
  partialImages: number
  image?: { b64: string; format: string }
}

/** Our hosted tool names, back to their item types (MCP calls are known by their server label). */
const HOSTED_ITEM_TYPES = wordTable<string>({
  web_search: 'web_search_call',
  file_search: 'file_search_call',
  code_interpreter: 'code_interpreter_call',
  image_generation: 'image_generation_call',
})

/** The base64 payload and format of a `data:image/…;base64,` URL. */
function imageData(url: string, mediaType: string): { b64: string; format: string } | undefined {
  const comma = url.indexOf(',')
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).endsWith(';base64')) return undefined
  return { b64: url.slice(comma + 1), format: mediaType.startsWith('image/') ? mediaType.slice(6) : 'png' }
}

const isEmptyObject = (value: unknown) => isObject(value) && !Array.isArray(value) && Object.keys(value).length === 0

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
  const hosted = new Map<string, OpenHosted>()

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

  /** Ends the open message or reasoning item; `openai` is the block's metadata (item id, phase, encrypted content). */
  const closeItem = (openai?: Record<string, unknown>) => {
    const item = current
    if (item === undefined) return ''
    current = undefined
    const text = item.text.join('')
    const itemId = typeof openai?.itemId === 'string' ? openai.itemId : item.id
    const at = { item_id: item.id, output_index: item.outputIndex }
    let wire = ''
    let done: Record<string, unknown>
    if (item.kind === 'message') {
      const part = { type: 'output_text', annotations: item.annotations, logprobs: [], text }
      wire =
        event('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] }) +
        event('response.content_part.done', { ...at, content_index: 0, part })
      done = { id: itemId, type: 'message', status: 'completed', content: [part], role: 'assistant' }
      if (openai?.phase !== undefined) done.phase = openai.phase
    } else {
      const summary = item.partOpen ? [{ type: 'summary_text', text }] : []
      if (item.partOpen) {
        wire =
          event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text }) +
          event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: summary[0] })
      }
      done = { id: itemId, type: 'reasoning', summary }
      if (openai?.encryptedContent !== undefined) done.encrypted_content = openai.encryptedContent
    }
    output.push(done)
    return wire + event('response.output_item.done', { output_index: item.outputIndex, item: done })
  }

  const openItem = (kind: OpenItem['kind']) => {
    if (current?.kind === kind) return ''
    let wire = begin() + closeItem()
    const outputIndex = outputCount++
    const item: OpenItem = {
      kind,
      id: `${kind === 'message' ? 'msg' : 'rs'}_${outputIndex}`,
      outputIndex,
      text: [],
      partOpen: false,
      annotations: [],
    }
    current = item
    if (kind === 'message') {
      wire +=
        event('response.output_item.added', {
          output_index: outputIndex,
          item: { id: item.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
        }) +
        event('response.content_part.added', {
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
        })
    } else {
      wire += event('response.output_item.added', {
        output_index: outputIndex,
        item: { id: item.id, type: 'reasoning', summary: [] },
      })
    }
    return wire
  }

  const textDelta = (kind: OpenItem['kind'], text: string) => {
    let wire = openItem(kind)
    const item = current as OpenItem
    item.text.push(text)
    const at = { item_id: item.id, output_index: item.outputIndex }
    if (kind === 'message') {
      return wire + event('response.output_text.delta', { ...at, content_index: 0, delta: text, logprobs: [] })
    }
    if (!item.partOpen) {
      item.partOpen = true
      wire += event('response.reasoning_summary_part.added', {
        ...at,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      })
    }
    return wire + event('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: text })
  }

  /** A citation on the open message (one is opened if none is): url_citation or file_citation. */
  const annotation = (part: Extract<StreamPart, { type: 'source' }>) => {
    let annotation: Record<string, unknown>
    const containerId = part.providerMetadata?.openai?.containerId
    if (part.url !== undefined) {
      annotation = { type: 'url_citation', url: part.url, title: part.title ?? '', start_index: 0, end_index: 0 }
    } else if (part.id !== undefined) {
      annotation =
        typeof containerId === 'string'
          ? {
              type: 'container_file_citation',
              container_id: containerId,
              file_id: part.id,
              start_index: 0,
              end_index: 0,
            }
          : { type: 'file_citation', file_id: part.id, index: 0 }
      if (part.filename !== undefined) annotation.filename = part.filename
      if (part.title !== undefined) annotation.title = part.title
    } else return '' // A source with neither URL nor id has no annotation form.
    const wire = openItem('message')
    const item = current as OpenItem
    const annotationIndex = item.annotations.length
    item.annotations.push(annotation)
    return (
      wire +
      event('response.output_text.annotation.added', {
        item_id: item.id,
        output_index: item.outputIndex,
        content_index: 0,
        annotation_index: annotationIndex,
        annotation,
      })
    )
  }

  const openCall = (index: number, callId: string | undefined, name: string | undefined) => {
    let call = calls.get(index)
    if (call !== undefined) return { call, wire: '' }
    const wire = begin() + closeItem()
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

  /** `incomplete`: the output token limit cut the arguments off, so no `arguments.done` is written. */
  const closeCall = (index: number, call: OpenCall, status: 'completed' | 'incomplete' = 'completed') => {
    calls.delete(index)
    const args = call.args.join('')
    const done = { id: call.id, type: 'function_call', status, arguments: args, call_id: call.callId, name: call.name }
    output.push(done)
    const at = { item_id: call.id, output_index: call.outputIndex }
    return (
      (status === 'completed'
        ? event('response.function_call_arguments.done', { ...at, name: call.name, arguments: args })
        : '') + event('response.output_item.done', { output_index: call.outputIndex, item: done })
    )
  }

  /** A call the app runs that is not a function call (custom tool, shell, patch, MCP approval): one whole item. */
  const clientCall = (part: Extract<StreamPart, { type: 'tool-call' }>, itemType: string) => {
    const kind = CLIENT_CALLS[itemType] as { name?: string; input: string }
    const wire = begin() + closeItem()
    const outputIndex = outputCount++
    const openai = part.providerMetadata?.openai ?? {}
    const item: Record<string, unknown> = {
      id: typeof openai.itemId === 'string' ? openai.itemId : `${itemType}_${outputIndex}`,
      type: itemType,
    }
    if (itemType !== 'mcp_approval_request') item.call_id = part.id
    if (kind.name === undefined) item.name = part.name
    if (typeof openai.serverLabel === 'string') item.server_label = openai.serverLabel
    // MCP arguments are JSON text; a custom tool's input is free text.
    const text = typeof part.args === 'string' ? part.args : JSON.stringify(part.args)
    item[kind.input] = itemType === 'mcp_approval_request' || itemType === 'custom_tool_call' ? text : part.args
    const done = { ...item, status: 'completed' }
    output.push(done)
    return (
      wire +
      event('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress' } }) +
      event('response.output_item.done', { output_index: outputIndex, item: done })
    )
  }

  /** A tool OpenAI runs itself: its item opens now, its input as the item streams it; the result closes it. */
  const hostedCall = (part: Extract<StreamPart, { type: 'tool-call' }>) => {
    const serverLabel = part.providerMetadata?.openai?.serverLabel
    const type = typeof serverLabel === 'string' ? 'mcp_call' : HOSTED_ITEM_TYPES[part.name]
    if (type === undefined) return '' // A provider tool no Responses item stands for.
    const wire = begin() + closeItem()
    const outputIndex = outputCount++
    const args = isObject(part.args) ? part.args : {}
    const item: Record<string, unknown> = { id: part.id, type, status: 'in_progress' }
    const at = { item_id: part.id, output_index: outputIndex }
    let input = ''
    if (type === 'mcp_call') {
      Object.assign(item, { name: part.name, server_label: serverLabel, arguments: '', output: null, error: null })
      const text = JSON.stringify(part.args)
      input = event('response.mcp_call_arguments.done', { ...at, arguments: text })
      item.arguments = text
    } else if (type === 'code_interpreter_call') {
      Object.assign(item, { code: '', container_id: args.container_id ?? null })
      input = event('response.code_interpreter_call_code.done', { ...at, code: args.code ?? '' })
      item.code = args.code ?? ''
    } else if (!isEmptyObject(part.args)) item.arguments = JSON.stringify(part.args) // as xAI writes a search's input
    const added = {
      ...item,
      ...(type === 'mcp_call' && { arguments: '' }),
      ...(type === 'code_interpreter_call' && { code: '', outputs: [] }),
    }
    hosted.set(part.id, { item, outputIndex, partialImages: 0 })
    return wire + event('response.output_item.added', { output_index: outputIndex, item: added }) + input
  }

  const hostedResult = (callId: string, result: unknown, isError: boolean) => {
    const call = hosted.get(callId)
    if (call === undefined) return '' // Its call had no Responses form either.
    hosted.delete(callId)
    const done: Record<string, unknown> = { ...call.item, status: isError ? 'failed' : 'completed' }
    if (done.type === 'mcp_call') {
      done.output = isError ? null : result
      done.error = isError ? result : null
    } else {
      Object.assign(done, isObject(result) && !Array.isArray(result) ? result : { output: result })
      if (call.image !== undefined) Object.assign(done, { result: call.image.b64, output_format: call.image.format })
    }
    output.push(done)
    return event('response.output_item.done', { output_index: call.outputIndex, item: done })
  }

  /** An image of a hosted image generation call: a partial one as it streams, the final one in its item. */
  const image = (part: Extract<StreamPart, { type: 'file' }>) => {
    const call = part.id === undefined ? undefined : hosted.get(part.id)
    const data = imageData(part.url, part.mediaType)
    // Only images of an image_generation_call, as base64, have a Responses form.
    if (call === undefined || call.item.type !== 'image_generation_call' || data === undefined) return ''
    if (part.partial !== true) {
      call.image = data
      return ''
    }
    return event('response.image_generation_call.partial_image', {
      item_id: call.item.id,
      output_index: call.outputIndex,
      partial_image_index: call.partialImages++,
      partial_image_b64: data.b64,
      output_format: data.format,
    })
  }

  const usageBody = (part: Usage) => {
    const body: Record<string, unknown> = { input_tokens: part.inputTokens ?? 0 }
    if (part.cachedInputTokens !== undefined || part.cacheWriteInputTokens !== undefined) {
      const details: Record<string, unknown> = {}
      if (part.cachedInputTokens !== undefined) details.cached_tokens = part.cachedInputTokens
      if (part.cacheWriteInputTokens !== undefined) details.cache_write_tokens = part.cacheWriteInputTokens
      body.input_tokens_details = details
    }
    return {
      ...body,
      output_tokens: part.outputTokens ?? 0,
      output_tokens_details: { reasoning_tokens: part.reasoningTokens ?? 0 },
      total_tokens: (part.inputTokens ?? 0) + (part.outputTokens ?? 0),
    }
  }

  return {
    push(part) {
      switch (part.type) {
        case 'start':
          if (created) return ''
          if (part.messageId !== undefined) id = part.messageId
          if (part.model !== undefined) model = part.model
          return begin()
        case 'text-delta':
          return part.text === '' ? '' : textDelta('message', part.text)
        case 'reasoning-delta':
          return part.text === '' ? '' : textDelta('reasoning', part.text)
        case 'text-end':
          return current?.kind === 'message' ? closeItem(part.providerMetadata?.openai) : ''
        case 'reasoning-end':
          // A reasoning item with no summary (or only encrypted content) is still an item to send back.
          return openItem('reasoning') + closeItem(part.providerMetadata?.openai)
        case 'tool-call-delta': {
          const opened = openCall(part.index, part.id, part.name)
          return opened.wire + argsDelta(opened.call, part.argsDelta)
        }
        case 'tool-call': {
          if (part.providerExecuted === true) return hostedCall(part)
          const itemType = part.providerMetadata?.openai?.itemType
          if (typeof itemType === 'string' && CLIENT_CALLS[itemType] !== undefined) return clientCall(part, itemType)
          const streamed = calls.has(part.index)
          const opened = openCall(part.index, part.id, part.name)
          // Not streamed before: the whole arguments go out as one delta, as a short call does on OpenAI.
          const wire = opened.wire + (streamed ? '' : argsDelta(opened.call, JSON.stringify(part.args)))
          return wire + closeCall(part.index, opened.call)
        }
        case 'tool-call-incomplete': {
          const streamed = calls.has(part.index)
          const opened = openCall(part.index, part.id, part.name)
          const wire = opened.wire + (streamed ? '' : argsDelta(opened.call, part.argsText))
          return wire + closeCall(part.index, opened.call, 'incomplete')
        }
        case 'tool-result':
          return hostedResult(part.id, part.result, part.isError === true)
        case 'source':
          return annotation(part)
        case 'file':
          return image(part)
        case 'data':
        case 'step-start':
          // App data and server-side tool rounds have no Responses API form.
          return ''
        case 'usage':
          usage = part
          return ''
        case 'finish': {
          let wire = begin() + closeItem()
          for (const [index, call] of calls) wire += closeCall(index, call)
          for (const callId of [...hosted.keys()]) wire += hostedResult(callId, {}, false)
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
