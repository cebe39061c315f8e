/**
 * Ollama's native streaming API: `POST /api/chat` and `POST /api/generate` (streaming is the default).
 * https://github.com/ollama/ollama/blob/main/docs/api.md
 *
 * The body is NDJSON, one JSON object per line. Chat lines carry `message.content`,
 * `message.thinking` and whole `message.tool_calls` (arguments as a JSON object, never in
 * pieces); generate lines carry `response` and `thinking`. The last line has `done: true`,
 * `done_reason` and the token counts. A failure mid-stream is a line `{"error": "…"}`.
 * A non-streaming response (`stream: false`) is the same shape on one line, and decodes alike.
 * The format has no block ends, citations, files, app data, steps, cache counts or tools the
 * server ran itself: those parts write nothing.
 */
import type { FinishReason, StreamPart } from '../types.js'
import {
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
  toJSONText,
  wordTable,
} from './protocol.js'

// `load` / `unload` answer a request that only loads or unloads the model: no generation.
// No prototype: a word like `constructor` is unknown, not a function.
const FINISH: Readonly<Record<string, FinishReason>> = wordTable({
  stop: 'stop',
  length: 'length',
  load: 'other',
  unload: 'other',
})

export function ollamaDecoder(): ProtocolDecoder {
  // The framer hands over non-blank lines only; counting them names the line in parse errors.
  let line = 0
  let started = false
  let closed = false
  let toolCount = 0

  const pushText = (
    value: unknown,
    type: 'text-delta' | 'reasoning-delta',
    where: string,
    data: string,
    out: StreamPart[],
  ) => {
    if (typeof value === 'string') {
      if (value !== '') out.push({ type, text: value })
    } else if (value != null) throw malformed(where, data)
  }

  // Ollama sends each call whole: one delta with the complete JSON text, then the call itself.
  const toolCalls = (calls: unknown, where: string, data: string, out: StreamPart[]) => {
    if (!Array.isArray(calls)) throw malformed(where, data)
    for (const call of calls as unknown[]) {
      if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') {
        throw malformed(where, data)
      }
      const { name, arguments: raw } = call.function
      // `function.index` counts within one response line and restarts on the next, so calls are
      // numbered here in order of appearance. Ids only exist in newer versions: stand-ins otherwise.
      const index = toolCount++
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`
      let args: unknown
      let argsDelta: string
      if (typeof raw === 'string') {
        // Not Ollama's shape, but some proxies pass OpenAI-style JSON text through.
        argsDelta = raw
        args = parseToolArgs([raw], name)
      } else if (raw == null) {
        argsDelta = '{}'
        args = {}
      } else if (isObject(raw) && !Array.isArray(raw)) {
        argsDelta = toJSONText(raw, 'tool call arguments')
        args = raw
      } else throw malformed(where, data)
      out.push({ type: 'tool-call-delta', index, id, name, argsDelta })
      out.push({ type: 'tool-call', index, id, name, args })
    }
  }

  return {
    framing: 'ndjson',
    get closed() {
      return closed
    },
    message(data, _event, out) {
      line++
      const where = `Ollama line ${line}`
      const chunk = parseEventJSON(data, where)
      if (chunk.error != null) throw providerError(chunk)
      if (!started) {
        started = true
        out.push(typeof chunk.model === 'string' ? { type: 'start', model: chunk.model } : { type: 'start' })
      }
      // /api/chat
      const { message } = chunk
      if (message != null) {
        if (!isObject(message)) throw malformed(where, data)
        pushText(message.thinking, 'reasoning-delta', where, data, out)
        pushText(message.content, 'text-delta', where, data, out)
        if (message.tool_calls != null) toolCalls(message.tool_calls, where, data, out)
      }
      // /api/generate
      pushText(chunk.thinking, 'reasoning-delta', where, data, out)
      pushText(chunk.response, 'text-delta', where, data, out)

      if (chunk.done === true) {
        closed = true
        const raw = chunk.done_reason
        if (raw != null && typeof raw !== 'string') throw malformed(where, data)
        if (isTokenCount(chunk.prompt_eval_count) || isTokenCount(chunk.eval_count)) {
          const usage: StreamPart = { type: 'usage' }
          if (isTokenCount(chunk.prompt_eval_count)) usage.inputTokens = chunk.prompt_eval_count
          if (isTokenCount(chunk.eval_count)) usage.outputTokens = chunk.eval_count
          out.push(usage)
        }
        // Ollama says `stop` after tool calls too; the calls are what the caller has to act on.
        // Versions before `done_reason` existed only ever stopped normally.
        const mapped = raw ? (FINISH[raw] ?? 'other') : 'stop'
        const reason = mapped === 'stop' && toolCount > 0 ? 'tool-calls' : mapped
        out.push(raw ? { type: 'finish', reason, raw } : { type: 'finish', reason })
      } else if (chunk.done != null && chunk.done !== false) throw malformed(where, data)
    },
    end() {
      throw interrupted('a line with "done": true arrived')
    },
  }
}

export interface OllamaEncoderOptions {
  /** Written in every line unless the `start` part names the model. Default `rivulet`. */
  model?: string
  /** Clock for `created_at` and the durations, in milliseconds. Default `Date.now`. */
  now?: () => number
}

// Only Ollama's own words; a normalized reason without a raw word of its own is written as `stop`.
const FINISH_WORDS: Readonly<Record<string, FinishReason>> = wordTable({
  stop: 'stop',
  length: 'length',
})

/**
 * Writes parts as an Ollama `/api/chat` stream: one JSON line per text, thinking or tool-call
 * part, and a final `done: true` line with `done_reason`, the durations (nanoseconds) and the
 * token counts of the last usage part. Tool-call deltas write nothing: Ollama sends whole calls,
 * so a call cut off before its arguments were complete has no line either. Calls the provider ran
 * itself and their results write nothing: on this wire they would read as calls for the client to
 * run. Block ends, sources, files, data and step boundaries have no place in the format.
 */
export function ollamaEncoder(options: OllamaEncoderOptions = {}): ProtocolEncoder {
  let model = options.model ?? 'rivulet'
  const now = options.now ?? Date.now
  const startedAt = now()
  let firstTokenAt: number | undefined
  let usage: Extract<StreamPart, { type: 'usage' }> | undefined

  const line = (fields: Record<string, unknown>) => `${JSON.stringify(fields)}\n`
  const message = (extra: Record<string, unknown>) => {
    const at = now()
    firstTokenAt ??= at
    return line({
      model,
      created_at: new Date(at).toISOString(),
      message: { role: 'assistant', content: '', ...extra },
      done: false,
    })
  }

  return {
    push(part) {
      switch (part.type) {
        case 'start':
          if (part.model !== undefined) model = part.model
          return ''
        case 'text-delta':
          return part.text === '' ? '' : message({ content: part.text })
        case 'reasoning-delta':
          return part.text === '' ? '' : message({ thinking: part.text })
        case 'tool-call-delta':
        case 'tool-call-incomplete':
        case 'tool-result':
        case 'text-end':
        case 'reasoning-end':
        case 'source':
        case 'file':
        case 'data':
        case 'step-start':
          return ''
        case 'tool-call':
          if (part.providerExecuted) return ''
          return message({
            tool_calls: [{ id: part.id, function: { index: part.index, name: part.name, arguments: part.args } }],
          })
        case 'usage':
          usage = part
          return ''
        case 'finish': {
          const at = now()
          const first = firstTokenAt ?? at
          const ns = (ms: number) => Math.max(0, Math.round(ms * 1e6))
          const fields: Record<string, unknown> = {
            model,
            created_at: new Date(at).toISOString(),
            message: { role: 'assistant', content: '' },
            done_reason: rawFinish(part, FINISH_WORDS, 'stop'),
            done: true,
            total_duration: ns(at - startedAt),
            load_duration: 0,
          }
          if (usage?.inputTokens !== undefined) fields.prompt_eval_count = usage.inputTokens
          fields.prompt_eval_duration = ns(first - startedAt)
          if (usage?.outputTokens !== undefined) fields.eval_count = usage.outputTokens
          fields.eval_duration = ns(at - first)
          return line(fields)
        }
      }
    },
    error(error) {
      // Ollama's in-band error is a bare message; it has no code field.
      return line({ error: error.message })
    },
    end() {
      return ''
    },
  }
}
