/**
 * Anthropic Messages API streaming (`stream: true`).
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming
 *
 * Named SSE events: `message_start`, then per content block `content_block_start`,
 * `content_block_delta`…, `content_block_stop`, then `message_delta` (stop_reason and
 * cumulative usage) and `message_stop`, the terminal signal. `ping` keeps the connection
 * alive; `error` reports a failure after the HTTP 200 (e.g. `overloaded_error`).
 */
import type { FinishReason, StreamPart } from '../types.js'
import {
  finishPart,
  interrupted,
  isObject,
  malformed,
  type ProtocolDecoder,
  type ProtocolEncoder,
  parseEventJSON,
  parseToolArgs,
  providerError,
  rawFinish,
  sseEvent,
} from './protocol.js'

// https://docs.anthropic.com/en/api/handling-stop-reasons — unknown words become `other`.
const FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
}

/** The events this decoder reads; any other name is skipped unparsed, for forward compatibility. */
const KNOWN_EVENTS = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'error',
])

interface PendingToolCall {
  index: number
  id: string
  name: string
  args: string[]
}

type UsageStreamPart = Extract<StreamPart, { type: 'usage' }>

/** Token counts as last reported; Anthropic overwrites them, never adds (cumulative totals). */
interface UsageState {
  input?: number
  cacheCreation?: number
  cacheRead?: number
  output?: number
  thinking?: number
}

/** Decodes an Anthropic Messages stream. See the module comment for the event flow. */
export function anthropicDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  let finishRaw: string | undefined
  // Open `tool_use` blocks by content block index; other block types need no state.
  const tools = new Map<number, PendingToolCall>()
  let toolCount = 0
  const usage: UsageState = {}

  const start = (out: StreamPart[], message?: Record<string, unknown>) => {
    if (started) return
    started = true
    const part: StreamPart = { type: 'start' }
    if (typeof message?.id === 'string') part.messageId = message.id
    if (typeof message?.model === 'string') part.model = message.model
    out.push(part)
  }

  const emitToolCall = (call: PendingToolCall, out: StreamPart[]) => {
    out.push({
      type: 'tool-call',
      index: call.index,
      id: call.id,
      name: call.name,
      args: parseToolArgs(call.args, call.name),
    })
  }

  const blockIndex = (chunk: Record<string, unknown>, where: string, data: string): number => {
    if (typeof chunk.index !== 'number') throw malformed(where, data)
    return chunk.index
  }

  const blockStart = (chunk: Record<string, unknown>, data: string, out: StreamPart[]) => {
    const index = blockIndex(chunk, 'content_block_start', data)
    const block = chunk.content_block
    if (!isObject(block) || typeof block.type !== 'string') throw malformed('content_block_start', data)
    switch (block.type) {
      case 'text':
        // The block opens empty in practice; a compatible server may put text here already.
        if (typeof block.text === 'string' && block.text !== '') out.push({ type: 'text-delta', text: block.text })
        return
      case 'thinking':
        if (typeof block.thinking === 'string' && block.thinking !== '')
          out.push({ type: 'reasoning-delta', text: block.thinking })
        return
      case 'tool_use': {
        if (typeof block.id !== 'string' || typeof block.name !== 'string') throw malformed('tool_use block', data)
        const call: PendingToolCall = { index: toolCount++, id: block.id, name: block.name, args: [] }
        tools.set(index, call)
        // `input` is `{}` here and the JSON follows in pieces; a server that sends it whole
        // here (and no pieces) still gets its arguments through.
        const whole = isObject(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : ''
        if (whole !== '') call.args.push(whole)
        out.push({ type: 'tool-call-delta', index: call.index, id: call.id, name: call.name, argsDelta: whole })
        return
      }
      // `redacted_thinking` is encrypted, `server_tool_use` and its results run on Anthropic's
      // side (nothing for the app to call): none of them is shown or emitted.
    }
  }

  const blockDelta = (chunk: Record<string, unknown>, data: string, out: StreamPart[]) => {
    const index = blockIndex(chunk, 'content_block_delta', data)
    const delta = chunk.delta
    if (!isObject(delta) || typeof delta.type !== 'string') throw malformed('content_block_delta', data)
    switch (delta.type) {
      case 'text_delta':
        if (typeof delta.text !== 'string') throw malformed('text_delta', data)
        if (delta.text !== '') out.push({ type: 'text-delta', text: delta.text })
        return
      case 'thinking_delta':
        if (typeof delta.thinking !== 'string') throw malformed('thinking_delta', data)
        if (delta.thinking !== '') out.push({ type: 'reasoning-delta', text: delta.thinking })
        return
      case 'input_json_delta': {
        if (typeof delta.partial_json !== 'string') throw malformed('input_json_delta', data)
        const call = tools.get(index)
        // The first piece is often "": nothing to show or keep. Pieces of server tools are skipped.
        if (call === undefined || delta.partial_json === '') return
        call.args.push(delta.partial_json)
        out.push({ type: 'tool-call-delta', index: call.index, argsDelta: delta.partial_json })
        return
      }
      // `signature_delta` verifies a thinking block (opaque, never text); `citations_delta`
      // annotates text already received.
    }
  }

  const readUsage = (value: unknown, data: string, withOutput: boolean) => {
    if (value == null) return
    if (!isObject(value)) throw malformed('usage', data)
    if (typeof value.input_tokens === 'number') usage.input = value.input_tokens
    if (typeof value.cache_creation_input_tokens === 'number') usage.cacheCreation = value.cache_creation_input_tokens
    if (typeof value.cache_read_input_tokens === 'number') usage.cacheRead = value.cache_read_input_tokens
    if (!withOutput) return
    if (typeof value.output_tokens === 'number') usage.output = value.output_tokens
    const details = value.output_tokens_details
    if (isObject(details) && typeof details.thinking_tokens === 'number') usage.thinking = details.thinking_tokens
  }

  const usagePart = (): UsageStreamPart => {
    const part: UsageStreamPart = { type: 'usage' }
    // `input_tokens` leaves out cached prompt tokens; the whole prompt is the sum (as OpenAI counts it).
    // https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
    const { input, cacheCreation, cacheRead } = usage
    if (input !== undefined || cacheCreation !== undefined || cacheRead !== undefined)
      part.inputTokens = (input ?? 0) + (cacheCreation ?? 0) + (cacheRead ?? 0)
    if (usage.output !== undefined) part.outputTokens = usage.output
    if (usage.thinking !== undefined) part.reasoningTokens = usage.thinking
    return part
  }

  return {
    framing: 'sse',
    get closed() {
      return closed
    },
    message(data, event, out) {
      // Anthropic names every event; the name is checked first so unknown ones are never parsed.
      // Without a name (some proxies drop `event:` lines) the JSON `type` says the same.
      // Fast path: nearly every event is a delta. Checked before the set of known names, since
      // hashing and comparing a fresh (non-internalized) event name costs more than one compare.
      if (event === 'content_block_delta') {
        start(out)
        return blockDelta(parseEventJSON(data, event), data, out)
      }
      let chunk: Record<string, unknown> | undefined
      let type = event
      if (type === undefined) {
        chunk = parseEventJSON(data, 'Anthropic event')
        type = typeof chunk.type === 'string' ? chunk.type : ''
      }
      if (!KNOWN_EVENTS.has(type)) return // `ping`, and event types added after this was written
      if (type === 'error') {
        // The stream's own error event, as the SDK reads it: a body that is not JSON is still an error.
        let body: unknown = chunk
        if (body === undefined) {
          try {
            body = JSON.parse(data)
          } catch {
            body = data
          }
        }
        throw providerError(body)
      }
      chunk ??= parseEventJSON(data, type)
      switch (type) {
        case 'message_start': {
          const { message } = chunk
          if (!isObject(message)) throw malformed('message_start', data)
          start(out, message)
          // Its `output_tokens` is a placeholder (1 or so) until `message_delta`: only input counts here.
          readUsage(message.usage, data, false)
          const part = usagePart()
          if (part.inputTokens !== undefined) out.push(part)
          return
        }
        case 'content_block_start':
          start(out)
          return blockStart(chunk, data, out)
        case 'content_block_delta':
          start(out)
          return blockDelta(chunk, data, out)
        case 'content_block_stop': {
          start(out)
          const index = blockIndex(chunk, 'content_block_stop', data)
          const call = tools.get(index)
          if (call !== undefined) {
            tools.delete(index)
            emitToolCall(call, out)
          }
          return
        }
        case 'message_delta': {
          start(out)
          const { delta } = chunk
          if (!isObject(delta)) throw malformed('message_delta', data)
          if (typeof delta.stop_reason === 'string') finishRaw = delta.stop_reason
          if (chunk.usage != null) {
            readUsage(chunk.usage, data, true)
            out.push(usagePart())
          }
          return
        }
        case 'message_stop':
          start(out)
          closed = true
          // Blocks are always stopped before this; a call left open still reaches the app.
          for (const call of tools.values()) emitToolCall(call, out)
          tools.clear()
          out.push(finishRaw === undefined ? { type: 'finish', reason: 'other' } : finishPart(finishRaw, FINISH))
          return
      }
    },
    end() {
      // A `stop_reason` without `message_stop` is still cut short: the docs make message_stop the end.
      throw interrupted('message_stop arrived')
    },
  }
}

export interface AnthropicEncoderOptions {
  id?: string
  model?: string
  /** The `signature` written at the end of each thinking block (opaque to clients). */
  signature?: string
}

/**
 * Writes parts as an Anthropic Messages stream, event names and field layout as Anthropic
 * sends them, so `@anthropic-ai/sdk` can read it.
 *
 * `message_start` is written with the first part after `start`: a `usage` part that comes
 * before any content puts its input tokens there, as Anthropic reports them. Later usage is
 * held for the `message_delta` written with `finish`, which also writes `message_stop`.
 * A tool call's parts must be contiguous (one content block each), as the decoder yields them.
 */
export function anthropicEncoder(options: AnthropicEncoderOptions = {}): ProtocolEncoder {
  let id = options.id ?? 'msg_rivulet'
  let model = options.model ?? 'rivulet'
  const signature = options.signature ?? 'cml2dWxldA=='
  let startPending = false
  let startWritten = false
  let finished = false
  let usage: UsageStreamPart | undefined
  let blockCount = 0
  let block: { type: 'text' | 'thinking' | 'tool_use'; index: number; toolIndex?: number } | undefined
  const streamedTools = new Set<number>()

  const write = (event: string, body: Record<string, unknown>) =>
    sseEvent(JSON.stringify({ type: event, ...body }), event)

  const messageStart = (): string => {
    if (startWritten) return ''
    startWritten = true
    startPending = false
    return write('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage?.inputTokens ?? 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1, // a placeholder, as Anthropic writes it; the count comes in message_delta
        },
      },
    })
  }

  const closeBlock = (): string => {
    if (block === undefined) return ''
    const { type, index } = block
    block = undefined
    const stop = write('content_block_stop', { index })
    return type === 'thinking'
      ? write('content_block_delta', { index, delta: { type: 'signature_delta', signature } }) + stop
      : stop
  }

  const openBlock = (contentBlock: Record<string, unknown>, toolIndex?: number): string => {
    let text = closeBlock()
    const index = blockCount++
    block = { type: contentBlock.type as 'text' | 'thinking' | 'tool_use', index }
    if (toolIndex !== undefined) block.toolIndex = toolIndex
    text += write('content_block_start', { index, content_block: contentBlock })
    // Anthropic sends one ping after the first block opens.
    if (index === 0) text += sseEvent(JSON.stringify({ type: 'ping' }), 'ping')
    return text
  }

  const delta = (body: Record<string, unknown>) => write('content_block_delta', { index: block?.index, delta: body })

  const toolStart = (index: number, id: string, name: string): string => {
    streamedTools.add(index)
    return (
      openBlock({ type: 'tool_use', id, name, input: {} }, index) +
      // Anthropic's first input piece is always empty.
      delta({ type: 'input_json_delta', partial_json: '' })
    )
  }

  return {
    push(part) {
      if (finished) return ''
      switch (part.type) {
        case 'start':
          if (part.messageId !== undefined) id = part.messageId
          if (part.model !== undefined) model = part.model
          startPending = true
          return ''
        case 'usage':
          usage = part
          return ''
        case 'text-delta': {
          let text = messageStart()
          if (block?.type !== 'text') text += openBlock({ type: 'text', text: '' })
          return text + delta({ type: 'text_delta', text: part.text })
        }
        case 'reasoning-delta': {
          let text = messageStart()
          if (block?.type !== 'thinking') text += openBlock({ type: 'thinking', thinking: '', signature: '' })
          return text + delta({ type: 'thinking_delta', thinking: part.text })
        }
        case 'tool-call-delta': {
          let text = messageStart()
          if (block?.type !== 'tool_use' || block.toolIndex !== part.index)
            text += toolStart(part.index, part.id ?? `toolu_${part.index}`, part.name ?? '')
          if (part.argsDelta !== '') text += delta({ type: 'input_json_delta', partial_json: part.argsDelta })
          return text
        }
        case 'tool-call': {
          let text = messageStart()
          if (block?.type === 'tool_use' && block.toolIndex === part.index) return text + closeBlock()
          if (streamedTools.has(part.index)) return text
          text += toolStart(part.index, part.id, part.name)
          text += delta({ type: 'input_json_delta', partial_json: JSON.stringify(part.args ?? {}) })
          return text + closeBlock()
        }
        case 'finish': {
          finished = true
          const body: Record<string, unknown> = {}
          if (usage?.inputTokens !== undefined) {
            Object.assign(body, {
              input_tokens: usage.inputTokens,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 0,
            })
          }
          body.output_tokens = usage?.outputTokens ?? 0
          if (usage?.reasoningTokens !== undefined) {
            body.output_tokens_details = { thinking_tokens: usage.reasoningTokens }
          }
          return (
            messageStart() +
            closeBlock() +
            write('message_delta', { delta: { stop_reason: stopReason(part), stop_sequence: null }, usage: body }) +
            write('message_stop', {})
          )
        }
      }
    },
    error(error) {
      finished = true
      const text = startPending ? messageStart() : ''
      return text + write('error', { error: { type: error.code ?? 'api_error', message: error.message } })
    },
    end() {
      return startPending ? messageStart() : ''
    },
  }
}

/**
 * Anthropic's word for a finish: the part's `raw` when it is Anthropic's own for that reason
 * (or a word Anthropic may add later), else the table's (another provider's `stop` or
 * `tool_calls` must not reach an Anthropic client).
 */
function stopReason(part: { reason: FinishReason; raw?: string }): string {
  const { raw, reason } = part
  if (raw !== undefined && (FINISH[raw] ?? 'other') === reason) return raw
  if (reason === 'other' || reason === 'error') return 'end_turn'
  return rawFinish({ reason }, FINISH, 'end_turn')
}
