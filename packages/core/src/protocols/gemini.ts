/**
 * Google Gemini `models/*:streamGenerateContent?alt=sse` (Gemini API and Vertex AI).
 * https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 *
 * Each SSE event (framed with CRLF) is a whole `GenerateContentResponse`: text, thought and
 * `functionCall` parts of `candidates[0].content`, the running `usageMetadata`, and on the
 * last one a `finishReason`. There is no `[DONE]`: a finishReason is the terminal signal, and
 * usage may still follow it, so the finish is written at EOF. Only candidate 0 is decoded
 * (`candidateCount: 1`, as chat UIs use).
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
  providerError,
  rawFinish,
} from './protocol.js'

// https://ai.google.dev/api/generate-content#FinishReason — the first word per reason is what the encoder writes.
const FINISH: Readonly<Record<string, FinishReason>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  BLOCKLIST: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  SPII: 'content-filter',
  IMAGE_SAFETY: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'error',
  OTHER: 'other',
}

const WHERE = 'GenerateContentResponse'

/** Decodes a Gemini `streamGenerateContent?alt=sse` body. */
export function geminiDecoder(): ProtocolDecoder {
  let started = false
  let finishRaw: string | undefined
  let toolCount = 0

  // Gemini sends each call whole, with `args` already parsed: one delta carries all of it.
  const toolCall = (call: unknown, data: string, out: StreamPart[]) => {
    if (!isObject(call) || typeof call.name !== 'string') throw malformed(`${WHERE} functionCall`, data)
    if (call.args != null && (!isObject(call.args) || Array.isArray(call.args)))
      throw malformed(`${WHERE} functionCall.args`, data)
    const index = toolCount++
    // The Gemini API usually leaves `id` out; a stable one lets results be matched to calls.
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`
    const args = call.args ?? {}
    out.push({ type: 'tool-call-delta', index, id, name: call.name, argsDelta: JSON.stringify(args) })
    out.push({ type: 'tool-call', index, id, name: call.name, args })
  }

  const candidate = (value: unknown, data: string, out: StreamPart[]) => {
    if (!isObject(value)) throw malformed(`${WHERE} candidate`, data)
    if ((value.index ?? 0) !== 0) return
    const { content } = value
    if (content != null && !isObject(content)) throw malformed(`${WHERE} candidate.content`, data)
    const parts = content?.parts
    if (parts != null && !Array.isArray(parts)) throw malformed(`${WHERE} content.parts`, data)
    for (const part of (parts ?? []) as unknown[]) {
      if (!isObject(part)) throw malformed(`${WHERE} part`, data)
      if (part.functionCall != null) toolCall(part.functionCall, data, out)
      else if (part.text != null) {
        if (typeof part.text !== 'string') throw malformed(`${WHERE} part.text`, data)
        // Empty text parts only carry a `thoughtSignature` (opaque state for the next turn).
        if (part.text !== '')
          out.push({ type: part.thought === true ? 'reasoning-delta' : 'text-delta', text: part.text })
      }
      // Other parts (inlineData, executableCode, signature-only parts…) are not text: skipped.
    }
    if (value.finishReason != null) {
      if (typeof value.finishReason !== 'string') throw malformed(`${WHERE} candidate.finishReason`, data)
      finishRaw = value.finishReason
    }
  }

  return {
    framing: 'sse',
    // Usage can follow the finishReason and nothing marks the last event: read to EOF.
    closed: false,
    message(data, _event, out) {
      const chunk = parseEventJSON(data, WHERE)
      // `{ error: { code: 500, message, status: 'INTERNAL' } }`: the code reported is `status`.
      if (chunk.error != null) throw providerError(chunk)
      const { candidates } = chunk
      if (candidates != null && !Array.isArray(candidates)) throw malformed(`${WHERE} candidates`, data)
      // "If set, the prompt was blocked and no candidates are returned."
      // https://ai.google.dev/api/generate-content#PromptFeedback
      const feedback = chunk.promptFeedback
      if ((candidates == null || candidates.length === 0) && isObject(feedback) && feedback.blockReason != null) {
        const reason = String(feedback.blockReason)
        const message =
          typeof feedback.blockReasonMessage === 'string'
            ? feedback.blockReasonMessage
            : `The prompt was blocked (${reason})`
        throw providerError({ message, code: reason })
      }
      if (!started) {
        started = true
        const start: StreamPart = { type: 'start' }
        if (typeof chunk.responseId === 'string') start.messageId = chunk.responseId
        if (typeof chunk.modelVersion === 'string') start.model = chunk.modelVersion
        out.push(start)
      }
      if (candidates != null) for (const value of candidates as unknown[]) candidate(value, data, out)
      const usage = chunk.usageMetadata
      if (usage != null) {
        if (!isObject(usage)) throw malformed(`${WHERE} usageMetadata`, data)
        const part = usagePart(usage)
        if (part !== undefined) out.push(part)
      }
    },
    end(out) {
      if (finishRaw === undefined) throw interrupted('a finishReason arrived')
      // Gemini says STOP after function calls too; the contract calls that end `tool-calls`.
      if (finishRaw === 'STOP' && toolCount > 0) out.push({ type: 'finish', reason: 'tool-calls', raw: finishRaw })
      else out.push(finishPart(finishRaw, FINISH))
    },
  }
}

/**
 * `usageMetadata` holds running totals. Gemini counts thoughts apart from the answer
 * (`candidatesTokenCount` excludes `thoughtsTokenCount`); `outputTokens` is their sum so that,
 * as with OpenAI and Anthropic, it counts every generated token, reasoning included.
 * https://ai.google.dev/api/generate-content#UsageMetadata
 */
function usagePart(usage: Record<string, unknown>): StreamPart | undefined {
  const prompt = usage.promptTokenCount
  const candidates = usage.candidatesTokenCount
  const thoughts = usage.thoughtsTokenCount
  const part: StreamPart = { type: 'usage' }
  if (typeof prompt === 'number') part.inputTokens = prompt
  if (typeof candidates === 'number' || typeof thoughts === 'number') {
    part.outputTokens =
      (typeof candidates === 'number' ? candidates : 0) + (typeof thoughts === 'number' ? thoughts : 0)
  }
  if (typeof thoughts === 'number') part.reasoningTokens = thoughts
  return Object.keys(part).length > 1 ? part : undefined
}

/** Gemini's HTTP code for a status word, for the `code` field of an in-band error. */
const STATUS_CODES: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
}

export interface GeminiEncoderOptions {
  /** `responseId` of every event, unless a `start` part brings its `messageId`. */
  id?: string
  /** `modelVersion` of every event, unless a `start` part brings its `model`. */
  model?: string
}

/**
 * Writes parts as a Gemini `streamGenerateContent?alt=sse` body: CRLF-framed
 * `GenerateContentResponse` events as Google sends them. Gemini cannot stream half a function
 * call, so `tool-call-delta` parts write nothing and each `tool-call` is one whole
 * `functionCall` part. Usage is held and written on the finish event, which carries the
 * finishReason; `end()` writes nothing (the stream just ends).
 */
export function geminiEncoder(options: GeminiEncoderOptions = {}): ProtocolEncoder {
  let responseId = options.id ?? 'rivulet'
  let modelVersion = options.model ?? 'rivulet'
  let usage: Extract<StreamPart, { type: 'usage' }> | undefined

  const event = (parts: unknown[], finishReason?: string) => {
    const candidate: Record<string, unknown> = { content: { parts, role: 'model' } }
    if (finishReason !== undefined) candidate.finishReason = finishReason
    candidate.index = 0
    const body: Record<string, unknown> = { candidates: [candidate] }
    if (finishReason !== undefined && usage !== undefined) body.usageMetadata = usageMetadata(usage)
    body.modelVersion = modelVersion
    body.responseId = responseId
    return geminiEvent(body)
  }

  return {
    push(part) {
      switch (part.type) {
        case 'start':
          // Gemini has no start event: the ids ride on every event.
          if (part.messageId !== undefined) responseId = part.messageId
          if (part.model !== undefined) modelVersion = part.model
          return ''
        case 'text-delta':
          return event([{ text: part.text }])
        case 'reasoning-delta':
          return event([{ text: part.text, thought: true }])
        case 'tool-call-delta':
          return ''
        case 'tool-call': {
          const call: Record<string, unknown> = { name: part.name }
          // `args` is a protobuf Struct: only a JSON object fits.
          if (isObject(part.args) && !Array.isArray(part.args)) call.args = part.args
          call.id = part.id
          return event([{ functionCall: call }])
        }
        case 'usage':
          usage = part
          return ''
        case 'finish':
          // Gemini says STOP after function calls; `tool-calls` has no word of its own.
          return event([{ text: '' }], rawFinish(part, FINISH, 'STOP'))
      }
    },
    error(error) {
      const status = error.code ?? 'INTERNAL'
      return geminiEvent({ error: { code: STATUS_CODES[status] ?? 500, message: error.message, status } })
    },
    end() {
      return ''
    },
  }
}

function usageMetadata(usage: Extract<StreamPart, { type: 'usage' }>): Record<string, number> {
  const body: Record<string, number> = {}
  if (usage.inputTokens !== undefined) body.promptTokenCount = usage.inputTokens
  if (usage.outputTokens !== undefined) {
    body.candidatesTokenCount = Math.max(0, usage.outputTokens - (usage.reasoningTokens ?? 0))
  }
  body.totalTokenCount = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)
  if (usage.reasoningTokens !== undefined) body.thoughtsTokenCount = usage.reasoningTokens
  return body
}

/** Google frames each event with CRLF, and SDKs match on it (js-genai: `\r\n\r\n`). */
function geminiEvent(body: unknown): string {
  return `data: ${JSON.stringify(body)}\r\n\r\n`
}
