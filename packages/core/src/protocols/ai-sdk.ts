/**
 * The Vercel AI SDK 5 UI message stream (v1): what `toUIMessageStreamResponse()` sends to `useChat`.
 * https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol (chunk shapes: `uiMessageChunkSchema` in
 * `packages/ai/src/ui-message-stream/ui-message-chunks.ts`)
 *
 * SSE events whose data is one JSON part `{ type, … }`; `data: [DONE]` closes the body. Text and
 * reasoning come as `*-start` / `*-delta` / `*-end` blocks with ids; tool input streams as
 * `tool-input-start` / `tool-input-delta` and completes with `tool-input-available` (parsed input)
 * or `tool-input-error` (input the model got wrong: never run, its text kept). Tool outputs the
 * server or provider produced are `tool-output-available` / `-error`; sources are `source-url` /
 * `source-document`, generated files `file`, the app's own data `data-<name>`. `start-step`
 * separates the steps of a server-side tool loop. `finish` ends the message (its `finishReason`
 * only exists in newer 5.x releases), `abort` ends it early on purpose, `error` carries `errorText`.
 *
 * Skipped: `finish-step`, preliminary tool outputs (a final one follows), `tool-output-denied`
 * and approval parts (the client's own decisions), `message-metadata` other than token counts,
 * and parts of later releases (`reasoning-file`, `custom`, and `reset-step`, which AI SDK 5 and 6
 * do not send). The stream has no usage part: apps put it in message metadata in a shape of their
 * own; a `usage` object there with the SDK's `LanguageModelUsage` field names is read as usage,
 * and that is where the encoder writes it.
 */
import type { FinishReason, ProviderMetadata, StreamPart } from '../types.js'
import {
  finishPart,
  interrupted,
  isObject,
  isTokenCount,
  malformed,
  type ProtocolDecoder,
  type ProtocolEncoder,
  parseEventJSON,
  providerError,
  sseEvent,
  wordTable,
} from './protocol.js'

/** The response headers a UI message stream is served with; `useChat` expects the `v1` marker. */
export const aiSdkStreamHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
}

// The SDK's reasons are already normalized; `unknown` (the SDK's "no idea") falls to `other`.
// No prototype: a word like `constructor` is unknown, not a function.
const FINISH: Readonly<Record<string, FinishReason>> = wordTable({
  stop: 'stop',
  length: 'length',
  'content-filter': 'content-filter',
  'tool-calls': 'tool-calls',
  error: 'error',
  other: 'other',
})
const SDK_FINISH_WORDS = new Set([...Object.keys(FINISH), 'unknown'])

// `LanguageModelUsage` names (AI SDK 5; 6 still fills them), and the cache writes it lacks.
const USAGE_FIELDS = [
  'inputTokens',
  'outputTokens',
  'reasoningTokens',
  'cachedInputTokens',
  'cacheWriteInputTokens',
] as const

type Finish = Extract<StreamPart, { type: 'finish' }>
type Usage = Extract<StreamPart, { type: 'usage' }>
type BlockKind = 'text' | 'reasoning'

const WHERE = 'AI SDK UI message stream part'

export function aiSdkDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  // `finish` / `abort` end the message; the part goes out at `[DONE]` or EOF, so it stays last.
  let ending: Finish | undefined
  // Tool calls by toolCallId, numbered in order of appearance across steps.
  const calls = new Map<string, { index: number; name: string; done: boolean }>()
  // Whether the current step made calls for the client: a message that ends on such a step waits for them.
  let stepCalls = false
  let steps = 0
  // The open text and reasoning block of each kind, with the provider metadata it has so far. Parts
  // have one block per kind at a time: blocks the SDK interleaves (reasoning summaries of one item)
  // are one block here, ended by the last of their ends.
  const blocks: Record<BlockKind, { ids: Set<string>; metadata?: ProviderMetadata } | undefined> = {
    text: undefined,
    reasoning: undefined,
  }

  const start = (out: StreamPart[], messageId?: string) => {
    if (started) return
    started = true
    out.push(messageId === undefined ? { type: 'start' } : { type: 'start', messageId })
  }
  const callOf = (id: string, name = '') => {
    let call = calls.get(id)
    if (call === undefined) calls.set(id, (call = { index: calls.size, name, done: false }))
    else if (name !== '') call.name = name
    return call
  }
  const defaultFinish = (): Finish => ({ type: 'finish', reason: stepCalls ? 'tool-calls' : 'stop' })
  const string = (value: unknown, data: string): string => {
    if (typeof value === 'string') return value
    throw malformed(WHERE, data)
  }
  const optionalString = (value: unknown, data: string): string | undefined =>
    value === undefined ? undefined : string(value, data)
  const optionalBoolean = (value: unknown, data: string): boolean | undefined => {
    if (value === undefined || typeof value === 'boolean') return value
    throw malformed(WHERE, data)
  }
  const metadataOf = (value: unknown, data: string): ProviderMetadata | undefined => {
    if (value === undefined) return undefined
    if (isObject(value) && !Array.isArray(value)) return value as ProviderMetadata
    throw malformed(WHERE, data)
  }
  const pushUsage = (metadata: unknown, out: StreamPart[]) => {
    if (!isObject(metadata) || !isObject(metadata.usage)) return
    const counts = metadata.usage
    let usage: Usage | undefined
    for (const field of USAGE_FIELDS) {
      const count = counts[field]
      if (isTokenCount(count)) (usage ??= { type: 'usage' })[field] = count
    }
    if (usage === undefined) return
    start(out)
    out.push(usage)
  }
  const blockOf = (kind: BlockKind) => {
    let block = blocks[kind]
    if (block === undefined) blocks[kind] = block = { ids: new Set() }
    return block
  }
  const endBlock = (kind: BlockKind, id: string, metadata: ProviderMetadata | undefined, out: StreamPart[]) => {
    const block = blocks[kind]
    if (block !== undefined) {
      block.ids.delete(id)
      if (metadata !== undefined) block.metadata = metadata
      if (block.ids.size > 0) return
      blocks[kind] = undefined
      metadata = block.metadata
    }
    // A block's end is only a part where it carries something to send back (a signature, a
    // redacted block); consecutive blocks of one kind otherwise read as one.
    if (metadata !== undefined) out.push({ type: `${kind}-end`, providerMetadata: metadata })
  }

  return {
    framing: 'sse',
    get closed() {
      return closed
    },
    message(data, _event, out) {
      if (data === '[DONE]') {
        // Only the server's own stream writes `[DONE]` (after everything, even without a `finish`
        // when a custom stream leaves it out): the answer is complete, not cut off.
        closed = true
        start(out)
        out.push(ending ?? defaultFinish())
        return
      }
      const part = parseEventJSON(data, WHERE)
      switch (part.type) {
        case 'start':
          start(out, optionalString(part.messageId, data))
          pushUsage(part.messageMetadata, out)
          return
        case 'text-delta':
        case 'reasoning-delta': {
          // The hot path: one string check, one part.
          const text = string(part.delta, data)
          start(out)
          if (text !== '') out.push({ type: part.type, text })
          if (part.providerMetadata !== undefined) {
            blockOf(part.type === 'text-delta' ? 'text' : 'reasoning').metadata = metadataOf(
              part.providerMetadata,
              data,
            )
          }
          return
        }
        case 'text-start':
        case 'reasoning-start': {
          const block = blockOf(part.type === 'text-start' ? 'text' : 'reasoning')
          block.ids.add(string(part.id, data))
          const metadata = metadataOf(part.providerMetadata, data)
          if (metadata !== undefined) block.metadata = metadata
          start(out)
          return
        }
        case 'text-end':
        case 'reasoning-end':
          start(out)
          endBlock(
            part.type === 'text-end' ? 'text' : 'reasoning',
            string(part.id, data),
            metadataOf(part.providerMetadata, data),
            out,
          )
          return
        case 'tool-input-start': {
          const id = string(part.toolCallId, data)
          const name = string(part.toolName, data)
          start(out)
          out.push({ type: 'tool-call-delta', index: callOf(id, name).index, id, name, argsDelta: '' })
          return
        }
        case 'tool-input-delta': {
          const id = string(part.toolCallId, data)
          const argsDelta = string(part.inputTextDelta, data)
          start(out)
          // A delta without its start still belongs to a call; its first piece names the id.
          const known = calls.has(id)
          const { index } = callOf(id)
          out.push(
            known ? { type: 'tool-call-delta', index, argsDelta } : { type: 'tool-call-delta', index, id, argsDelta },
          )
          return
        }
        case 'tool-input-available': {
          const id = string(part.toolCallId, data)
          const name = string(part.toolName, data)
          const providerExecuted = optionalBoolean(part.providerExecuted, data)
          const metadata = metadataOf(part.providerMetadata, data)
          const call = callOf(id, name)
          if (call.done) return
          call.done = true
          // The provider runs its own tools; only the client's calls leave the step waiting.
          if (!providerExecuted) stepCalls = true
          start(out)
          // A call that was not streamed arrives whole here: it yields only its tool-call.
          const toolCall: StreamPart = {
            type: 'tool-call',
            index: call.index,
            id,
            name,
            args: part.input === undefined ? {} : part.input,
          }
          if (providerExecuted) toolCall.providerExecuted = true
          if (metadata !== undefined) toolCall.providerMetadata = metadata
          out.push(toolCall)
          return
        }
        case 'tool-input-error': {
          // Input that failed to parse or validate (`input` is then the raw text, or the parsed
          // value the tool's schema refused). The SDK never runs it; its tool-output-error follows.
          const id = string(part.toolCallId, data)
          const name = string(part.toolName, data)
          // Required by the schema; the reason comes again in the tool-output-error, as the result.
          string(part.errorText, data)
          const call = callOf(id, name)
          if (call.done) return
          call.done = true
          start(out)
          out.push({ type: 'tool-call-incomplete', index: call.index, id, name, argsText: inputText(part.input, data) })
          return
        }
        case 'tool-output-available':
        case 'tool-output-error': {
          const id = string(part.toolCallId, data)
          const providerExecuted = optionalBoolean(part.providerExecuted, data)
          const isError = part.type === 'tool-output-error'
          const result = isError ? string(part.errorText, data) : part.output
          // A preliminary output (a tool streaming its progress) is replaced by the final one.
          if (optionalBoolean(part.preliminary, data)) return
          start(out)
          const toolResult: StreamPart = { type: 'tool-result', id, name: calls.get(id)?.name ?? '', result }
          if (isError) toolResult.isError = true
          if (providerExecuted) toolResult.providerExecuted = true
          out.push(toolResult)
          return
        }
        case 'source-url':
        case 'source-document': {
          const source: StreamPart = { type: 'source', id: string(part.sourceId, data) }
          if (part.type === 'source-url') {
            source.url = string(part.url, data)
            const title = optionalString(part.title, data)
            if (title !== undefined) source.title = title
          } else {
            source.title = string(part.title, data)
            source.mediaType = string(part.mediaType, data)
            const filename = optionalString(part.filename, data)
            if (filename !== undefined) source.filename = filename
          }
          const metadata = metadataOf(part.providerMetadata, data)
          if (metadata !== undefined) source.providerMetadata = metadata
          start(out)
          out.push(source)
          return
        }
        case 'file': {
          const file: StreamPart = {
            type: 'file',
            mediaType: string(part.mediaType, data),
            url: string(part.url, data),
          }
          const metadata = metadataOf(part.providerMetadata, data)
          if (metadata !== undefined) file.providerMetadata = metadata
          start(out)
          out.push(file)
          return
        }
        case 'start-step':
          stepCalls = false
          blocks.text = blocks.reasoning = undefined
          // A boundary between steps, none before the first.
          if (steps++ > 0) {
            start(out)
            out.push({ type: 'step-start' })
          }
          return
        case 'finish-step':
          // The SDK forgets the step's open blocks here (their ids are reused by the next step).
          blocks.text = blocks.reasoning = undefined
          return
        case 'message-metadata':
          pushUsage(part.messageMetadata, out)
          return
        case 'finish': {
          const raw = optionalString(part.finishReason, data)
          pushUsage(part.messageMetadata, out)
          ending = raw === undefined ? defaultFinish() : (finishPart(raw, FINISH) as Finish)
          return
        }
        case 'abort':
          // A deliberate stop (the user or server aborted): a clean end, not an interruption.
          ending = { type: 'finish', reason: 'other', raw: 'abort' }
          return
        case 'error':
          throw providerError(typeof part.errorText === 'string' ? part.errorText : part)
        default: {
          const { type } = part
          if (typeof type !== 'string') throw malformed(WHERE, data)
          if (type.startsWith('data-')) {
            const item: StreamPart = { type: 'data', name: type.slice(5), data: part.data }
            const id = optionalString(part.id, data)
            if (id !== undefined) item.id = id
            const transient = optionalBoolean(part.transient, data)
            if (transient !== undefined) item.transient = transient
            start(out)
            out.push(item)
          }
          // Every other part is skipped (see the module comment); unknown types are newer parts.
        }
      }
    },
    end(out) {
      if (ending === undefined) throw interrupted('a finish part arrived')
      start(out)
      out.push(ending)
    },
  }
}

/** A refused tool input as text: the raw text when it did not parse, else the value as JSON. */
function inputText(input: unknown, data: string): string {
  if (typeof input === 'string') return input
  if (input === undefined) return ''
  try {
    return JSON.stringify(input)
  } catch {
    // Nesting too deep to write back.
    throw malformed(WHERE, data)
  }
}

export interface AiSdkEncoderOptions {
  /** `messageId` of the `start` part when the start part has none. Default: none (the client makes one). */
  messageId?: string
}

/**
 * Writes parts as an AI SDK UI message stream, the sequence `streamText(…).toUIMessageStreamResponse()`
 * sends: `start`, `start-step`, text and reasoning blocks (`*-start` / `*-delta` / `*-end`, with
 * the block's provider metadata on its end), `tool-input-start` / `-delta` / `-available` (or
 * `tool-input-error` for a call cut off), `tool-output-available` / `-error`, `source-url` /
 * `source-document`, `file`, `data-<name>`, `finish-step` + `start-step` between steps, `finish`,
 * and `data: [DONE]` in `end()`. A finish with raw `abort` is written as `abort`. `finishReason` is
 * written unless it is what a client assumes anyway (`stop`, or `tool-calls` after the step's tool
 * calls). Usage goes into message metadata as `{ usage }`. The SDK's parts are strict objects, so
 * what they have no field for is left out: a file's `id` and `filename`, a result's tool name and
 * metadata (the call has them), a URL source's media type; partial files (previews) are not
 * written, the final file is. Serve it with `aiSdkStreamHeaders`.
 */
export function aiSdkEncoder(options: AiSdkEncoderOptions = {}): ProtocolEncoder {
  let opened = false
  let block: { kind: BlockKind; id: string } | undefined
  let blocks = 0
  let sources = 0
  // toolCallId per index, once its tool-input-start is written.
  const toolIds = new Map<number, string>()
  // Whether the current step made calls for the client, as the decoder counts them.
  let stepCalls = false

  const write = (part: Record<string, unknown>) => sseEvent(JSON.stringify(part))
  const open = (messageId = options.messageId) => {
    if (opened) return ''
    opened = true
    return (
      write(messageId === undefined ? { type: 'start' } : { type: 'start', messageId }) + write({ type: 'start-step' })
    )
  }
  const close = () => {
    if (block === undefined) return ''
    const text = write({ type: `${block.kind}-end`, id: block.id })
    block = undefined
    return text
  }
  // Opens a block of `kind` unless one is open; returns what to write first.
  const begin = (kind: BlockKind) => {
    let out = open()
    if (block?.kind !== kind) {
      out += close()
      block = { kind, id: `${kind}-${++blocks}` }
      out += write({ type: `${kind}-start`, id: block.id })
    }
    return out
  }
  const delta = (kind: BlockKind, text: string) => {
    if (text === '') return ''
    const out = begin(kind)
    return out + write({ type: `${kind}-delta`, id: (block as { id: string }).id, delta: text })
  }
  const end = (kind: BlockKind, providerMetadata: ProviderMetadata | undefined) => {
    const out = begin(kind)
    const id = (block as { id: string }).id
    block = undefined
    return out + write({ type: `${kind}-end`, id, ...(providerMetadata !== undefined && { providerMetadata }) })
  }
  const flags = (part: { providerExecuted?: boolean; providerMetadata?: ProviderMetadata }) => ({
    ...(part.providerExecuted === true && { providerExecuted: true }),
    ...(part.providerMetadata !== undefined && { providerMetadata: part.providerMetadata }),
  })

  return {
    push(part) {
      switch (part.type) {
        case 'start':
          return open(part.messageId ?? options.messageId)
        case 'text-delta':
          return delta('text', part.text)
        case 'reasoning-delta':
          return delta('reasoning', part.text)
        case 'text-end':
          return end('text', part.providerMetadata)
        case 'reasoning-end':
          return end('reasoning', part.providerMetadata)
        case 'tool-call-delta': {
          let out = open() + close()
          const id = toolIds.get(part.index)
          if (id === undefined) {
            const callId = part.id ?? `call_${part.index}`
            toolIds.set(part.index, callId)
            out += write({ type: 'tool-input-start', toolCallId: callId, toolName: part.name ?? '' })
            if (part.argsDelta !== '') {
              out += write({ type: 'tool-input-delta', toolCallId: callId, inputTextDelta: part.argsDelta })
            }
            return out
          }
          return out + write({ type: 'tool-input-delta', toolCallId: id, inputTextDelta: part.argsDelta })
        }
        case 'tool-call':
          if (!part.providerExecuted) stepCalls = true
          return (
            open() +
            close() +
            write({
              type: 'tool-input-available',
              toolCallId: toolIds.get(part.index) ?? part.id,
              toolName: part.name,
              input: part.args,
              ...flags(part),
            })
          )
        case 'tool-call-incomplete':
          return (
            open() +
            close() +
            write({
              type: 'tool-input-error',
              toolCallId: toolIds.get(part.index) ?? part.id,
              toolName: part.name,
              input: part.argsText,
              errorText: `The arguments of tool call "${part.name}" were cut off before they were complete`,
            })
          )
        case 'tool-result': {
          const out = open() + close()
          const providerExecuted = part.providerExecuted === true && { providerExecuted: true }
          if (part.isError) {
            const errorText = typeof part.result === 'string' ? part.result : (JSON.stringify(part.result) ?? '')
            return out + write({ type: 'tool-output-error', toolCallId: part.id, errorText, ...providerExecuted })
          }
          return (
            out +
            write({ type: 'tool-output-available', toolCallId: part.id, output: part.result, ...providerExecuted })
          )
        }
        case 'source': {
          const out = open() + close()
          const sourceId = part.id ?? `source-${++sources}`
          const metadata = part.providerMetadata !== undefined && { providerMetadata: part.providerMetadata }
          if (part.url !== undefined) {
            return (
              out +
              write({
                type: 'source-url',
                sourceId,
                url: part.url,
                ...(part.title !== undefined && { title: part.title }),
                ...metadata,
              })
            )
          }
          // A document source needs a title and a media type.
          return (
            out +
            write({
              type: 'source-document',
              sourceId,
              mediaType: part.mediaType ?? 'application/octet-stream',
              title: part.title ?? part.filename ?? '',
              ...(part.filename !== undefined && { filename: part.filename }),
              ...metadata,
            })
          )
        }
        case 'file':
          if (part.partial) return ''
          return (
            open() +
            close() +
            write({
              type: 'file',
              url: part.url,
              mediaType: part.mediaType,
              ...(part.providerMetadata !== undefined && { providerMetadata: part.providerMetadata }),
            })
          )
        case 'data':
          return (
            open() +
            write({
              type: `data-${part.name}`,
              ...(part.id !== undefined && { id: part.id }),
              data: part.data,
              ...(part.transient !== undefined && { transient: part.transient }),
            })
          )
        case 'step-start':
          stepCalls = false
          return open() + close() + write({ type: 'finish-step' }) + write({ type: 'start-step' })
        case 'usage': {
          const usage: Record<string, number> = {}
          for (const field of USAGE_FIELDS) if (part[field] !== undefined) usage[field] = part[field]
          return open() + write({ type: 'message-metadata', messageMetadata: { usage } })
        }
        case 'finish': {
          const out = open() + close()
          if (part.raw === 'abort') return `${out}${write({ type: 'abort' })}`
          const assumed = stepCalls ? 'tool-calls' : 'stop'
          // The SDK validates finishReason against its own words: anything else is written normalized.
          const word =
            part.raw !== undefined && SDK_FINISH_WORDS.has(part.raw)
              ? part.raw
              : part.raw === undefined && part.reason === assumed
                ? undefined
                : part.reason
          return (
            out +
            write({ type: 'finish-step' }) +
            write(word === undefined ? { type: 'finish' } : { type: 'finish', finishReason: word })
          )
        }
      }
    },
    error(error) {
      // The UI stream's error part has only a message.
      return write({ type: 'error', errorText: error.message })
    },
    end() {
      return sseEvent('[DONE]')
    },
  }
}
