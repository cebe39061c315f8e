/**
 * Anthropic Messages API streaming (`stream: true`).
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming
 *
 * Named SSE events: `message_start`, then per content block `content_block_start`,
 * `content_block_delta`…, `content_block_stop`, then `message_delta` (stop_reason and
 * cumulative usage) and `message_stop`, the terminal signal. `ping` keeps the connection
 * alive; `error` reports a failure after the HTTP 200 (e.g. `overloaded_error`).
 * A message may also arrive whole in `message_start` (content blocks and stop_reason already
 * set, as programmatic tool calling sends it), followed by `message_stop` alone.
 */
import type { FinishReason, ProviderMetadata, StreamPart } from '../types.js'
import {
  encodedEvents,
  finishPart,
  interrupted,
  isObject,
  isTokenCount,
  malformed,
  type ProtocolDecoder,
  type ProtocolEncoder,
  parseEventJSON,
  parseToolArgs,
  providerError,
  rawFinish,
  sseEvent,
  toJSONText,
  wordTable,
} from './protocol.js'

// https://docs.anthropic.com/en/api/handling-stop-reasons — unknown words become `other`.
const FINISH = wordTable<FinishReason>({
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
})

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

/**
 * Block indexes count the blocks of one message, which are far fewer than its output tokens:
 * anything else (negative, fractional, absurdly large) is a malformed event.
 */
const MAX_BLOCK_INDEX = 2 ** 20

interface PendingToolCall {
  index: number
  id: string
  name: string
  args: string[]
  providerExecuted: boolean
  providerMetadata?: ProviderMetadata
}

/** Content blocks that hold state until their `content_block_stop`; text blocks need none. */
type OpenBlock = { kind: 'tool'; call: PendingToolCall } | { kind: 'thinking'; signature?: string }

type UsageStreamPart = Extract<StreamPart, { type: 'usage' }>
type SourceStreamPart = Extract<StreamPart, { type: 'source' }>

/** Token counts as last reported; Anthropic overwrites them, never adds (cumulative totals). */
interface UsageState {
  input?: number
  cacheCreation?: number
  cacheRead?: number
  output?: number
  thinking?: number
}

const RESULT_SUFFIX = '_tool_result'

/** Decodes an Anthropic Messages stream. See the module comment for the event flow. */
export function anthropicDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  let finishRaw: string | undefined
  const blocks = new Map<number, OpenBlock>()
  // Names of the provider-executed calls seen, so each result is named after its call.
  const serverCallNames = new Map<string, string>()
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
    const part: StreamPart = {
      type: 'tool-call',
      index: call.index,
      id: call.id,
      name: call.name,
      args: parseToolArgs(call.args, call.name),
    }
    if (call.providerExecuted) part.providerExecuted = true
    if (call.providerMetadata !== undefined) part.providerMetadata = call.providerMetadata
    out.push(part)
  }

  // The output limit was hit inside the call's input: it stays unparsed and is never run.
  const emitIncomplete = (call: PendingToolCall, out: StreamPart[]) => {
    out.push({
      type: 'tool-call-incomplete',
      index: call.index,
      id: call.id,
      name: call.name,
      argsText: call.args.join(''),
    })
  }

  const blockIndex = (chunk: Record<string, unknown>, where: string, data: string): number => {
    const { index } = chunk
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_BLOCK_INDEX)
      throw malformed(where, data)
    return index
  }

  const toolBlock = (index: number, block: Record<string, unknown>, data: string, out: StreamPart[]) => {
    if (typeof block.id !== 'string' || typeof block.name !== 'string') throw malformed(`${block.type} block`, data)
    const providerExecuted = block.type !== 'tool_use'
    const call: PendingToolCall = { index: toolCount++, id: block.id, name: block.name, args: [], providerExecuted }
    const metadata: Record<string, unknown> = {}
    if (typeof block.server_name === 'string') metadata.serverName = block.server_name
    // Calls made from inside code execution (programmatic tool calling) name their caller,
    // which must go back with the call.
    if (isObject(block.caller) && block.caller.type !== 'direct') metadata.caller = block.caller
    if (Object.keys(metadata).length > 0) call.providerMetadata = { anthropic: metadata }
    blocks.set(index, { kind: 'tool', call })
    if (providerExecuted) serverCallNames.set(call.id, call.name)
    // `input` is `{}` here and the JSON follows in pieces; a call sent whole (programmatic
    // callers, a whole message) has it here and no pieces.
    const whole =
      isObject(block.input) && Object.keys(block.input).length > 0 ? toJSONText(block.input, 'a tool_use block') : ''
    if (whole !== '') call.args.push(whole)
    // Provider-executed calls are announced complete, with `providerExecuted`: a delta cannot
    // say whose call it is, and the app has nothing to prepare for them.
    if (!providerExecuted)
      out.push({ type: 'tool-call-delta', index: call.index, id: call.id, name: call.name, argsDelta: whole })
  }

  const toolResult = (block: Record<string, unknown>, type: string, data: string, out: StreamPart[]) => {
    if (typeof block.tool_use_id !== 'string') throw malformed(`${type} block`, data)
    const result = block.content
    // Errors come as `is_error` (MCP) or as a content object whose type ends in `_error`
    // (`web_search_tool_result_error`, `code_execution_tool_result_error`, …).
    const isError =
      block.is_error === true || (isObject(result) && typeof result.type === 'string' && result.type.endsWith('_error'))
    const part: StreamPart = {
      type: 'tool-result',
      id: block.tool_use_id,
      // The call may have come in an earlier message (programmatic tool calling).
      name: serverCallNames.get(block.tool_use_id) ?? type.slice(0, -RESULT_SUFFIX.length),
      result,
      providerExecuted: true,
    }
    if (isError) part.isError = true
    out.push(part)
  }

  const blockStart = (index: number, block: unknown, data: string, out: StreamPart[]) => {
    if (!isObject(block) || typeof block.type !== 'string') throw malformed('content_block_start', data)
    const { type } = block
    switch (type) {
      case 'text':
        // The block opens empty in practice; a whole message, or a compatible server, has it here.
        if (typeof block.text === 'string' && block.text !== '') out.push({ type: 'text-delta', text: block.text })
        if (Array.isArray(block.citations))
          for (const citation of block.citations) out.push(citationSource(citation, data))
        return
      case 'thinking': {
        if (typeof block.thinking === 'string' && block.thinking !== '')
          out.push({ type: 'reasoning-delta', text: block.thinking })
        const open: OpenBlock = { kind: 'thinking' }
        if (typeof block.signature === 'string' && block.signature !== '') open.signature = block.signature
        blocks.set(index, open)
        return
      }
      case 'redacted_thinking':
        // Encrypted thinking: no text to show, but it must go back with the next turn.
        if (typeof block.data !== 'string') throw malformed('redacted_thinking block', data)
        out.push({ type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: block.data } } })
        return
      case 'tool_use':
      case 'server_tool_use':
      case 'mcp_tool_use':
        return toolBlock(index, block, data, out)
      default:
        // `web_search_tool_result`, `code_execution_tool_result`, `mcp_tool_result`, … arrive whole.
        if (type.endsWith(RESULT_SUFFIX)) toolResult(block, type, data, out)
      // Other blocks (`compaction`, `fallback`, types added later) carry nothing shown.
    }
  }

  const blockStop = (index: number, out: StreamPart[]) => {
    const block = blocks.get(index)
    if (block === undefined) return
    blocks.delete(index)
    if (block.kind === 'tool') emitToolCall(block.call, out)
    else if (block.signature !== undefined)
      out.push({ type: 'reasoning-end', providerMetadata: { anthropic: { signature: block.signature } } })
  }

  /** Blocks the message ended inside: cut by the output limit, or (never seen) left open. */
  const closeOpenBlocks = (cut: boolean, out: StreamPart[]) => {
    for (const [index, block] of blocks) {
      if (block.kind === 'tool' && cut) {
        blocks.delete(index)
        emitIncomplete(block.call, out)
      } else blockStop(index, out)
    }
  }

  const blockDelta = (chunk: Record<string, unknown>, data: string, out: StreamPart[]) => {
    // Text and thinking deltas need no block state: only the index's presence is checked.
    if (typeof chunk.index !== 'number') throw malformed('content_block_delta', data)
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
        const block = blocks.get(blockIndex(chunk, 'content_block_delta', data))
        // The first piece is often "": nothing to show or keep.
        if (block?.kind !== 'tool' || delta.partial_json === '') return
        const { call } = block
        call.args.push(delta.partial_json)
        if (!call.providerExecuted)
          out.push({ type: 'tool-call-delta', index: call.index, argsDelta: delta.partial_json })
        return
      }
      case 'signature_delta': {
        // Verifies the thinking block; sent back with it, as the SDK keeps it: the last one wins.
        if (typeof delta.signature !== 'string') throw malformed('signature_delta', data)
        const block = blocks.get(blockIndex(chunk, 'content_block_delta', data))
        if (block?.kind === 'thinking') block.signature = delta.signature
        return
      }
      case 'citations_delta':
        // One citation of the text block it arrives in, before or between its text deltas.
        blockIndex(chunk, 'content_block_delta', data)
        out.push(citationSource(delta.citation, data))
        return
    }
  }

  const readUsage = (value: unknown, data: string, withOutput: boolean) => {
    if (value == null) return
    if (!isObject(value)) throw malformed('usage', data)
    if (isTokenCount(value.input_tokens)) usage.input = value.input_tokens
    if (isTokenCount(value.cache_creation_input_tokens)) usage.cacheCreation = value.cache_creation_input_tokens
    if (isTokenCount(value.cache_read_input_tokens)) usage.cacheRead = value.cache_read_input_tokens
    if (!withOutput) return
    if (isTokenCount(value.output_tokens)) usage.output = value.output_tokens
    const details = value.output_tokens_details
    if (isObject(details) && isTokenCount(details.thinking_tokens)) usage.thinking = details.thinking_tokens
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
    if (cacheRead !== undefined) part.cachedInputTokens = cacheRead
    if (cacheCreation !== undefined) part.cacheWriteInputTokens = cacheCreation
    return part
  }

  const isCut = () => finishRaw !== undefined && FINISH[finishRaw] === 'length'

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
          const { content } = message
          if (content != null && !Array.isArray(content)) throw malformed('message_start', data)
          // A whole message has its stop_reason (and final usage) here already.
          const whole = typeof message.stop_reason === 'string'
          if (whole) finishRaw = message.stop_reason as string
          // Otherwise its `output_tokens` is a placeholder (1 or so) until `message_delta`.
          readUsage(message.usage, data, whole)
          const part = usagePart()
          if (part.inputTokens !== undefined || part.outputTokens !== undefined) out.push(part)
          if (content != null)
            for (const [index, block] of (content as unknown[]).entries()) {
              // Each block is complete: stopped as soon as it is read.
              blockStart(index, block, data, out)
              blockStop(index, out)
            }
          return
        }
        case 'content_block_start':
          start(out)
          return blockStart(blockIndex(chunk, 'content_block_start', data), chunk.content_block, data, out)
        case 'content_block_delta':
          start(out)
          return blockDelta(chunk, data, out)
        case 'content_block_stop':
          start(out)
          return blockStop(blockIndex(chunk, 'content_block_stop', data), out)
        case 'message_delta': {
          start(out)
          const { delta } = chunk
          if (!isObject(delta)) throw malformed('message_delta', data)
          if (typeof delta.stop_reason === 'string') finishRaw = delta.stop_reason
          // `max_tokens` inside a tool call's input: the block is never stopped, its JSON never ends.
          if (isCut()) closeOpenBlocks(true, out)
          if (chunk.usage != null) {
            readUsage(chunk.usage, data, true)
            out.push(usagePart())
          }
          return
        }
        case 'message_stop':
          start(out)
          closed = true
          // Blocks are stopped before this; one left open still reaches the app.
          closeOpenBlocks(isCut(), out)
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

/**
 * A citation as a source: its URL and title, and the rest (cited text, encrypted index,
 * document and character positions) kept as Anthropic sent it.
 * https://docs.anthropic.com/en/docs/build-with-claude/citations
 */
function citationSource(citation: unknown, data: string): SourceStreamPart {
  if (!isObject(citation) || typeof citation.type !== 'string') throw malformed('citation', data)
  const { url, title, ...rest } = citation
  const part: SourceStreamPart = { type: 'source' }
  // Search results (`search_result_location`) name their URL `source`.
  if (typeof url === 'string') part.url = url
  else if (typeof rest.source === 'string') part.url = rest.source
  if (typeof title === 'string') part.title = title
  else if (typeof rest.document_title === 'string') part.title = rest.document_title
  part.providerMetadata = { anthropic: rest }
  return part
}

export interface AnthropicEncoderOptions {
  id?: string
  model?: string
  /**
   * The `signature` written at the end of a thinking block whose parts bring none (a
   * `reasoning-end` with `providerMetadata.anthropic.signature` brings its own).
   */
  signature?: string
}

type BlockType = 'text' | 'thinking' | 'tool_use' | 'server_tool_use' | 'mcp_tool_use'

/**
 * Writes parts as an Anthropic Messages stream, event names and field layout as Anthropic
 * sends them, so `@anthropic-ai/sdk` can read it.
 *
 * `message_start` is written with the first part after `start`: a `usage` part that comes
 * before any content puts its input tokens there, as Anthropic reports them. Later usage is
 * held for the `message_delta` written with `finish`, which also writes `message_stop`.
 * A tool call's parts must be contiguous (one content block each), as the decoder yields them.
 * Anthropic streams have no generated files, app data or steps: `file`, `data` and
 * `step-start` parts write nothing.
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
  let block: { type: BlockType; index: number; toolIndex?: number } | undefined
  const streamedTools = new Set<number>()
  const mcpCalls = new Set<string>()

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
        // `output_tokens` is a placeholder, as Anthropic writes it; the count comes in message_delta.
        usage: { input_tokens: 0, ...inputUsage(usage), output_tokens: 1 },
      },
    })
  }

  /** Writes the open block's stop; a thinking block gets its signature first. */
  const closeBlock = (blockSignature = signature): string => {
    if (block === undefined) return ''
    const { type, index } = block
    block = undefined
    const stop = write('content_block_stop', { index })
    return type === 'thinking'
      ? write('content_block_delta', { index, delta: { type: 'signature_delta', signature: blockSignature } }) + stop
      : stop
  }

  const openBlock = (contentBlock: Record<string, unknown>, toolIndex?: number): string => {
    let text = closeBlock()
    const index = blockCount++
    block = { type: contentBlock.type as BlockType, index }
    if (toolIndex !== undefined) block.toolIndex = toolIndex
    text += write('content_block_start', { index, content_block: contentBlock })
    // Anthropic sends one ping after the first block opens.
    if (index === 0) text += sseEvent(JSON.stringify({ type: 'ping' }), 'ping')
    return text
  }

  /** A block that is complete as it opens (redacted thinking, a tool result). */
  const wholeBlock = (contentBlock: Record<string, unknown>): string => openBlock(contentBlock) + closeBlock()

  const delta = (body: Record<string, unknown>) => write('content_block_delta', { index: block?.index, delta: body })

  const toolStart = (part: {
    index: number
    id: string
    name: string
    providerExecuted?: boolean
    providerMetadata?: ProviderMetadata
  }): string => {
    streamedTools.add(part.index)
    const meta = part.providerMetadata?.anthropic
    const contentBlock: Record<string, unknown> = { type: 'tool_use', id: part.id, name: part.name, input: {} }
    if (part.providerExecuted) {
      const mcp = typeof meta?.serverName === 'string'
      contentBlock.type = mcp ? 'mcp_tool_use' : 'server_tool_use'
      if (mcp) {
        contentBlock.server_name = meta?.serverName
        mcpCalls.add(part.id)
      }
    }
    if (isObject(meta?.caller)) contentBlock.caller = meta.caller
    return (
      openBlock(contentBlock, part.index) +
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
        case 'text-end':
          // Text blocks carry nothing to send back, so the decoder reports no end for them.
          return block?.type === 'text' ? closeBlock() : ''
        case 'source': {
          let text = messageStart()
          if (block?.type !== 'text') text += openBlock({ type: 'text', text: '', citations: [] })
          return text + delta({ type: 'citations_delta', citation: sourceCitation(part) })
        }
        case 'reasoning-delta': {
          let text = messageStart()
          if (block?.type !== 'thinking') text += openBlock({ type: 'thinking', thinking: '', signature: '' })
          return text + delta({ type: 'thinking_delta', thinking: part.text })
        }
        case 'reasoning-end': {
          const meta = part.providerMetadata?.anthropic
          let text = messageStart()
          if (typeof meta?.redactedData === 'string') {
            return text + closeBlock() + wholeBlock({ type: 'redacted_thinking', data: meta.redactedData })
          }
          const own = typeof meta?.signature === 'string' ? meta.signature : undefined
          // A signed block without text (thinking display omitted) still opens and closes.
          if (block?.type !== 'thinking') {
            if (own === undefined) return text
            text += openBlock({ type: 'thinking', thinking: '', signature: '' })
          }
          return text + closeBlock(own)
        }
        case 'tool-call-delta': {
          let text = messageStart()
          if (block?.toolIndex !== part.index)
            text += toolStart({ index: part.index, id: part.id ?? `toolu_${part.index}`, name: part.name ?? '' })
          if (part.argsDelta !== '') text += delta({ type: 'input_json_delta', partial_json: part.argsDelta })
          return text
        }
        case 'tool-call': {
          let text = messageStart()
          if (block?.toolIndex === part.index) return text + closeBlock()
          if (streamedTools.has(part.index)) return text
          text += toolStart(part)
          text += delta({ type: 'input_json_delta', partial_json: JSON.stringify(part.args ?? {}) })
          return text + closeBlock()
        }
        case 'tool-call-incomplete': {
          // Anthropic cuts such a call by never stopping its block; `finish` (`max_tokens`) follows.
          let text = messageStart()
          if (block?.toolIndex !== part.index) {
            text += toolStart(part)
            if (part.argsText !== '') text += delta({ type: 'input_json_delta', partial_json: part.argsText })
          }
          block = undefined
          return text
        }
        case 'tool-result': {
          const text = messageStart() + closeBlock()
          if (mcpCalls.has(part.id)) {
            return (
              text +
              wholeBlock({
                type: 'mcp_tool_result',
                tool_use_id: part.id,
                is_error: part.isError === true,
                content: part.result,
              })
            )
          }
          const type = resultBlockType(part.name)
          // Errors are a content object of the result's own error type.
          const isErrorContent =
            isObject(part.result) && typeof part.result.type === 'string' && part.result.type.endsWith('_error')
          const content =
            part.isError === true && !isErrorContent
              ? { type: `${type}_error`, error_code: 'unavailable' }
              : part.result
          return text + wholeBlock({ type, tool_use_id: part.id, content })
        }
        case 'file':
        case 'data':
        case 'step-start':
          return ''
        case 'finish': {
          finished = true
          const body: Record<string, unknown> = inputUsage(usage)
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
 * The whole (non-streamed) `Message` for `parts`: the stream `anthropicEncoder` writes,
 * accumulated as Anthropic's SDK accumulates it, so a whole answer holds exactly what its stream
 * would (thinking with signatures, citations, server tools, the finish word kept).
 * https://docs.anthropic.com/en/api/messages (the Message object)
 *
 * @example
 * Response.json(anthropicMessage([{ type: 'text-delta', text: 'Hi' }, { type: 'finish', reason: 'stop' }]))
 */
export function anthropicMessage(
  parts: Iterable<StreamPart>,
  options: AnthropicEncoderOptions = {},
): Record<string, unknown> {
  const encoder = anthropicEncoder(options)
  let body = ''
  for (const part of parts) body += encoder.push(part)
  body += encoder.end()
  let message: Record<string, unknown> = {}
  const content: Record<string, unknown>[] = []
  const inputs = new Map<number, string>()
  for (const event of encodedEvents(body)) {
    const index = event.index as number
    const block = content[index] as Record<string, unknown>
    switch (event.type) {
      case 'message_start':
        message = { ...(event.message as Record<string, unknown>), content }
        break
      case 'content_block_start':
        content[index] = { ...(event.content_block as Record<string, unknown>) }
        break
      case 'content_block_delta': {
        const delta = event.delta as Record<string, string>
        if (delta.type === 'text_delta') block.text = `${block.text ?? ''}${delta.text}`
        else if (delta.type === 'thinking_delta') block.thinking = `${block.thinking ?? ''}${delta.thinking}`
        else if (delta.type === 'signature_delta') block.signature = delta.signature
        else if (delta.type === 'input_json_delta') inputs.set(index, `${inputs.get(index) ?? ''}${delta.partial_json}`)
        else if (delta.type === 'citations_delta')
          block.citations = [...((block.citations as unknown[]) ?? []), delta.citation]
        break
      }
      case 'content_block_stop': {
        const input = inputs.get(index)
        if (input !== undefined) block.input = input.trim() === '' ? {} : JSON.parse(input)
        break
      }
      case 'message_delta': {
        const delta = event.delta as Record<string, unknown>
        message.stop_reason = delta.stop_reason
        message.stop_sequence = delta.stop_sequence ?? null
        message.usage = { ...(message.usage as object), ...(event.usage as object) }
        break
      }
    }
  }
  return message
}

/** Input counts as Anthropic reports them: `input_tokens` without the cached prompt tokens. */
function inputUsage(usage: UsageStreamPart | undefined): Record<string, unknown> {
  if (usage?.inputTokens === undefined) return {}
  const read = usage.cachedInputTokens
  const written = usage.cacheWriteInputTokens
  const body: Record<string, unknown> = { input_tokens: Math.max(0, usage.inputTokens - (read ?? 0) - (written ?? 0)) }
  if (written !== undefined) body.cache_creation_input_tokens = written
  if (read !== undefined) body.cache_read_input_tokens = read
  return body
}

/** The result block of a provider-executed tool, by the tool's name. */
function resultBlockType(name: string): string {
  // Every tool search variant (`tool_search_tool_bm25`, `…_regex`) answers with one block type.
  return name.startsWith('tool_search_tool') ? 'tool_search_tool_result' : `${name}${RESULT_SUFFIX}`
}

/** A source as an Anthropic citation: what the decoder kept, with its URL and title back in place. */
function sourceCitation(part: SourceStreamPart): Record<string, unknown> {
  const citation: Record<string, unknown> = { type: 'web_search_result_location', ...part.providerMetadata?.anthropic }
  if (part.url !== undefined && citation.source !== part.url) citation.url = part.url
  if (part.title !== undefined && citation.document_title !== part.title) citation.title = part.title
  return citation
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
