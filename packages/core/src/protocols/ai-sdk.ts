/**
 * The Vercel AI SDK 5 UI message stream (v1): what `toUIMessageStreamResponse()` sends to `useChat`.
 * https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol
 *
 * SSE events whose data is one JSON part `{ type, … }`; `data: [DONE]` closes the body. Text and
 * reasoning come as `*-start` / `*-delta` / `*-end` blocks with ids; tool input streams as
 * `tool-input-start` / `tool-input-delta` and completes with `tool-input-available` (parsed input).
 * `finish` ends the message (its `finishReason` only exists in newer 5.x releases), `abort` ends
 * it early on purpose, `error` carries `errorText`.
 *
 * Parts with no `StreamPart` of their own are skipped: `start-step` / `finish-step`, tool outputs
 * (`tool-output-available`, `-error`, `-denied`: results the server ran, not model output),
 * `tool-input-error`, `tool-approval-request`, sources, files, `message-metadata`, and the app's
 * own `data-*` parts. The stream carries no token usage (apps put it in message metadata, in a
 * shape of their own), so no `usage` part is decoded or written.
 */
import type { FinishReason, StreamPart } from '../types.js'
import {
  finishPart,
  interrupted,
  malformed,
  type ProtocolDecoder,
  type ProtocolEncoder,
  parseEventJSON,
  providerError,
  sseEvent,
} from './protocol.js'

/** The response headers a UI message stream is served with; `useChat` expects the `v1` marker. */
export const aiSdkStreamHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
}

// The SDK's reasons are already normalized; `unknown` (the SDK's "no idea") falls to `other`.
const FINISH: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content-filter',
  'tool-calls': 'tool-calls',
  error: 'error',
  other: 'other',
}
const SDK_FINISH_WORDS = new Set([...Object.keys(FINISH), 'unknown'])

type Finish = Extract<StreamPart, { type: 'finish' }>

const WHERE = 'AI SDK UI message stream part'

export function aiSdkDecoder(): ProtocolDecoder {
  let started = false
  let closed = false
  // `finish` / `abort` end the message; the part goes out at `[DONE]` or EOF, so it stays last.
  let ending: Finish | undefined
  // Tool calls are numbered by toolCallId in order of appearance, across steps.
  const toolIndex = new Map<string, number>()
  const toolDone = new Set<string>()
  // Whether the current step made tool calls: a message that ends on such a step waits for them.
  let stepCalls = false

  const start = (out: StreamPart[], messageId?: string) => {
    if (started) return
    started = true
    out.push(messageId === undefined ? { type: 'start' } : { type: 'start', messageId })
  }
  const indexOf = (id: string) => {
    let index = toolIndex.get(id)
    if (index === undefined) toolIndex.set(id, (index = toolIndex.size))
    return index
  }
  const defaultFinish = (): Finish => ({ type: 'finish', reason: stepCalls ? 'tool-calls' : 'stop' })
  const string = (value: unknown, data: string, optional = false): string | undefined => {
    if (typeof value === 'string' || (optional && value === undefined)) return value as string | undefined
    throw malformed(WHERE, data)
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
          start(out, string(part.messageId, data, true))
          return
        case 'text-delta':
        case 'reasoning-delta': {
          const text = string(part.delta, data) as string
          start(out)
          if (text !== '') out.push({ type: part.type, text })
          return
        }
        case 'tool-input-start': {
          const id = string(part.toolCallId, data) as string
          const name = string(part.toolName, data) as string
          start(out)
          out.push({ type: 'tool-call-delta', index: indexOf(id), id, name, argsDelta: '' })
          return
        }
        case 'tool-input-delta': {
          const id = string(part.toolCallId, data) as string
          const argsDelta = string(part.inputTextDelta, data) as string
          start(out)
          // A delta without its start still belongs to a call; its first piece names the id.
          const known = toolIndex.has(id)
          const index = indexOf(id)
          out.push(
            known ? { type: 'tool-call-delta', index, argsDelta } : { type: 'tool-call-delta', index, id, argsDelta },
          )
          return
        }
        case 'tool-input-available': {
          const id = string(part.toolCallId, data) as string
          const name = string(part.toolName, data) as string
          if (toolDone.has(id)) return
          toolDone.add(id)
          stepCalls = true
          start(out)
          // A call that was not streamed arrives whole here: it yields only its tool-call.
          out.push({
            type: 'tool-call',
            index: indexOf(id),
            id,
            name,
            args: part.input === undefined ? {} : part.input,
          })
          return
        }
        case 'start-step':
          stepCalls = false
          return
        case 'finish': {
          const raw = string(part.finishReason, data, true)
          ending = raw === undefined ? defaultFinish() : (finishPart(raw, FINISH) as Finish)
          return
        }
        case 'abort':
          // A deliberate stop (the user or server aborted): a clean end, not an interruption.
          ending = { type: 'finish', reason: 'other', raw: 'abort' }
          return
        case 'error':
          throw providerError(typeof part.errorText === 'string' ? part.errorText : part)
        default:
          if (typeof part.type !== 'string') throw malformed(WHERE, data)
        // Every other part is skipped (see the module comment); unknown types are newer parts.
      }
    },
    end(out) {
      if (ending === undefined) throw interrupted('a finish part arrived')
      start(out)
      out.push(ending)
    },
  }
}

export interface AiSdkEncoderOptions {
  /** `messageId` of the `start` part when the start part has none. Default: none (the client makes one). */
  messageId?: string
}

/**
 * Writes parts as an AI SDK UI message stream, the sequence `streamText(…).toUIMessageStreamResponse()`
 * sends: `start`, `start-step`, text and reasoning blocks (`*-start` / `*-delta` / `*-end`),
 * `tool-input-start` / `-delta` / `-available`, `finish-step`, `finish`, and `data: [DONE]` in
 * `end()`. A finish with raw `abort` is written as `abort`. `finishReason` is written unless it is
 * what a client assumes anyway (`stop`, or `tool-calls` after tool calls). Usage is not written:
 * the format has no place for it. Serve it with `aiSdkStreamHeaders`.
 */
export function aiSdkEncoder(options: AiSdkEncoderOptions = {}): ProtocolEncoder {
  let opened = false
  let block: { kind: 'text' | 'reasoning'; id: string } | undefined
  let blocks = 0
  // toolCallId per index, once its tool-input-start is written.
  const toolIds: string[] = []
  let toolCalls = false

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
  const delta = (kind: 'text' | 'reasoning', text: string) => {
    if (text === '') return ''
    let out = open()
    if (block?.kind !== kind) {
      out += close()
      block = { kind, id: `${kind}-${++blocks}` }
      out += write({ type: `${kind}-start`, id: block.id })
    }
    return out + write({ type: `${kind}-delta`, id: block.id, delta: text })
  }

  return {
    push(part) {
      switch (part.type) {
        case 'start':
          return open(part.messageId ?? options.messageId)
        case 'text-delta':
          return delta('text', part.text)
        case 'reasoning-delta':
          return delta('reasoning', part.text)
        case 'tool-call-delta': {
          let out = open() + close()
          const id = toolIds[part.index]
          if (id === undefined) {
            const callId = part.id ?? `call_${part.index}`
            toolIds[part.index] = callId
            out += write({ type: 'tool-input-start', toolCallId: callId, toolName: part.name ?? '' })
            if (part.argsDelta !== '') {
              out += write({ type: 'tool-input-delta', toolCallId: callId, inputTextDelta: part.argsDelta })
            }
            return out
          }
          return out + write({ type: 'tool-input-delta', toolCallId: id, inputTextDelta: part.argsDelta })
        }
        case 'tool-call':
          toolCalls = true
          return (
            open() +
            close() +
            write({
              type: 'tool-input-available',
              toolCallId: toolIds[part.index] ?? part.id,
              toolName: part.name,
              input: part.args,
            })
          )
        case 'usage':
          return ''
        case 'finish': {
          const out = open() + close()
          if (part.raw === 'abort') return `${out}${write({ type: 'abort' })}`
          const assumed = toolCalls ? 'tool-calls' : 'stop'
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
