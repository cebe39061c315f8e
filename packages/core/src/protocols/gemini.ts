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
  rawFinish,
  toJSONText,
  wordTable,
} from './protocol.js'

// https://ai.google.dev/api/generate-content#FinishReason — the first word per reason is what the encoder writes.
const FINISH = wordTable<FinishReason>({
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
})

const WHERE = 'GenerateContentResponse'

/** The name Gemini's built-in code execution tool goes by in parts (`executableCode`). */
const CODE_EXECUTION = 'code_execution'

/** A function call whose arguments stream over several parts (`willContinue`, Gemini 3 on Vertex). */
interface StreamingCall {
  index: number
  id: string
  name: string
  args: ArgsBuilder
  providerMetadata?: ProviderMetadata
}

/** Decodes a Gemini `streamGenerateContent?alt=sse` body. */
export function geminiDecoder(): ProtocolDecoder {
  let started = false
  let finishRaw: string | undefined
  let toolCount = 0
  let streaming: StreamingCall | undefined
  // Calls the app must answer; a `functionResponse` in the stream (server-side MCP) answers one.
  const awaiting: { id: string; name: string }[] = []
  let codeCallId: string | undefined
  const sourceUrls = new Set<string>()

  const signatureOf = (part: Record<string, unknown>): ProviderMetadata | undefined =>
    typeof part.thoughtSignature === 'string' ? { google: { thoughtSignature: part.thoughtSignature } } : undefined

  const emitCall = (call: Omit<StreamingCall, 'args'>, args: unknown, out: StreamPart[]) => {
    const part: StreamPart = { type: 'tool-call', index: call.index, id: call.id, name: call.name, args }
    if (call.providerMetadata !== undefined) part.providerMetadata = call.providerMetadata
    out.push(part)
    awaiting.push({ id: call.id, name: call.name })
  }

  /** The streamed call is complete: its closing JSON, then the call. */
  const completeStreaming = (out: StreamPart[], closing = '') => {
    const call = streaming as StreamingCall
    streaming = undefined
    const argsDelta = closing + call.args.finish()
    if (argsDelta !== '') out.push({ type: 'tool-call-delta', index: call.index, argsDelta })
    emitCall(call, call.args.value, out)
  }

  const toolCall = (part: Record<string, unknown>, data: string, out: StreamPart[]) => {
    const call = part.functionCall
    if (!isObject(call)) throw malformed(`${WHERE} functionCall`, data)
    const { partialArgs } = call
    if (partialArgs != null && !Array.isArray(partialArgs)) throw malformed(`${WHERE} functionCall.partialArgs`, data)
    const more = call.willContinue === true
    if (typeof call.name !== 'string') {
      // A continuation of the streamed call: more argument paths, or its end (`willContinue` unset).
      if (streaming === undefined) throw malformed(`${WHERE} functionCall`, data)
      const metadata = signatureOf(part)
      if (metadata !== undefined) streaming.providerMetadata = metadata
      const added = partialArgs == null ? '' : streaming.args.add(partialArgs, data)
      if (more) {
        if (added !== '') out.push({ type: 'tool-call-delta', index: streaming.index, argsDelta: added })
      } else completeStreaming(out, added)
      return
    }
    // A named part starts a new call: one still streaming is over.
    if (streaming !== undefined) completeStreaming(out)
    if (call.args != null && (!isObject(call.args) || Array.isArray(call.args)))
      throw malformed(`${WHERE} functionCall.args`, data)
    const index = toolCount++
    // The Gemini API usually leaves `id` out; a stable one lets results be matched to calls.
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`
    const providerMetadata = signatureOf(part)
    const base = { index, id, name: call.name, ...(providerMetadata && { providerMetadata }) }
    if (more || partialArgs != null) {
      const args = argsBuilder()
      let argsDelta = partialArgs == null ? '' : args.add(partialArgs, data)
      if (!more) argsDelta += args.finish()
      out.push({ type: 'tool-call-delta', index, id, name: call.name, argsDelta })
      if (more) streaming = { ...base, args }
      else emitCall(base, args.value, out)
      return
    }
    // Sent whole, with `args` already parsed: one delta carries all of it.
    const args = call.args ?? {}
    out.push({ type: 'tool-call-delta', index, id, name: call.name, argsDelta: toJSONText(args, 'a functionCall') })
    emitCall(base, args, out)
  }

  /** Results of tools Gemini ran itself: its code execution, and server-side MCP calls. */
  const toolResult = (part: Record<string, unknown>, data: string, out: StreamPart[]) => {
    if (part.codeExecutionResult != null) {
      const result = part.codeExecutionResult
      if (!isObject(result)) throw malformed(`${WHERE} codeExecutionResult`, data)
      const tool: StreamPart = {
        type: 'tool-result',
        id: codeCallId ?? CODE_EXECUTION,
        name: CODE_EXECUTION,
        result,
        providerExecuted: true,
      }
      if (result.outcome !== 'OUTCOME_OK') tool.isError = true
      out.push(tool)
      return
    }
    const response = part.functionResponse
    if (!isObject(response) || typeof response.name !== 'string') throw malformed(`${WHERE} functionResponse`, data)
    // The call it answers is the last open one of that name: the app has nothing to run for it.
    let answered = awaiting.length - 1
    while (answered >= 0 && awaiting[answered]?.name !== response.name) answered--
    const call = answered === -1 ? undefined : awaiting.splice(answered, 1)[0]
    const id = typeof response.id === 'string' && response.id !== '' ? response.id : (call?.id ?? response.name)
    out.push({ type: 'tool-result', id, name: response.name, result: response.response, providerExecuted: true })
  }

  const file = (part: Record<string, unknown>, data: string, out: StreamPart[]) => {
    // Thought images are drafts of the answer's image, not part of it.
    if (part.thought === true) return
    const inline = part.inlineData ?? part.fileData
    if (!isObject(inline) || typeof inline.mimeType !== 'string') throw malformed(`${WHERE} part file`, data)
    const source = part.inlineData != null ? inline.data : inline.fileUri
    if (typeof source !== 'string') throw malformed(`${WHERE} part file`, data)
    const url = part.inlineData != null ? `data:${inline.mimeType};base64,${source}` : source
    const filePart: StreamPart = { type: 'file', mediaType: inline.mimeType, url }
    const metadata = signatureOf(part)
    if (metadata !== undefined) filePart.providerMetadata = metadata
    out.push(filePart)
  }

  /** Grounding chunks (Google Search, retrieval, Maps) as sources, each URL once per answer. */
  const grounding = (metadata: unknown, data: string, out: StreamPart[]) => {
    if (!isObject(metadata)) throw malformed(`${WHERE} groundingMetadata`, data)
    const chunks = metadata.groundingChunks
    if (chunks == null) return
    if (!Array.isArray(chunks)) throw malformed(`${WHERE} groundingChunks`, data)
    for (const chunk of chunks as unknown[]) {
      if (!isObject(chunk)) throw malformed(`${WHERE} groundingChunk`, data)
      const ref = chunk.web ?? chunk.retrievedContext ?? chunk.maps
      if (!isObject(ref) || typeof ref.uri !== 'string' || sourceUrls.has(ref.uri)) continue
      sourceUrls.add(ref.uri)
      const source: StreamPart = { type: 'source', url: ref.uri }
      if (typeof ref.title === 'string') source.title = ref.title
      out.push(source)
    }
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
      if (part.text != null) {
        if (typeof part.text !== 'string') throw malformed(`${WHERE} part.text`, data)
        const thought = part.thought === true
        if (part.text !== '') out.push({ type: thought ? 'reasoning-delta' : 'text-delta', text: part.text })
        // The signature closes what it is attached to; it must go back on the same part.
        // https://ai.google.dev/gemini-api/docs/thought-signatures
        if (part.thoughtSignature !== undefined) {
          const providerMetadata = signatureOf(part)
          if (providerMetadata !== undefined)
            out.push({ type: thought ? 'reasoning-end' : 'text-end', providerMetadata })
        }
      } else if (part.functionCall != null) toolCall(part, data, out)
      else if (part.inlineData != null || part.fileData != null) file(part, data, out)
      else if (part.executableCode != null) {
        if (!isObject(part.executableCode)) throw malformed(`${WHERE} executableCode`, data)
        codeCallId = `call_${toolCount}`
        out.push({
          type: 'tool-call',
          index: toolCount++,
          id: codeCallId,
          name: CODE_EXECUTION,
          args: part.executableCode,
          providerExecuted: true,
        })
      } else if (part.codeExecutionResult != null || part.functionResponse != null) toolResult(part, data, out)
      // Other parts (signature-only parts of kinds added later…) are skipped.
    }
    if (value.groundingMetadata != null) grounding(value.groundingMetadata, data, out)
    if (value.finishReason != null) {
      if (typeof value.finishReason !== 'string') throw malformed(`${WHERE} candidate.finishReason`, data)
      finishRaw = value.finishReason
      if (streaming !== undefined) {
        // The output limit cut the call's arguments: never to be run.
        if (FINISH[finishRaw] === 'length') {
          const { index, id, name, args } = streaming
          streaming = undefined
          out.push({ type: 'tool-call-incomplete', index, id, name, argsText: args.text })
        } else completeStreaming(out)
      }
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
      if (finishRaw === 'STOP' && awaiting.length > 0)
        out.push({ type: 'finish', reason: 'tool-calls', raw: finishRaw })
      else out.push(finishPart(finishRaw, FINISH))
    },
  }
}

/** Nesting deeper than this in streamed arguments is a malformed event, not a stack to grow. */
const MAX_ARGS_DEPTH = 64

type PathSegment = string | number
type Container = Record<string, unknown> | unknown[]

interface ArgsBuilder {
  /** Sets the values of `partialArgs` entries; returns the JSON text they add. */
  add(entries: unknown[], data: string): string
  /** Closes what is open; returns the closing JSON text. */
  finish(): string
  /** The arguments so far. */
  readonly value: Record<string, unknown>
  /** The JSON text so far. */
  readonly text: string
}

/**
 * Builds a call's arguments from streamed `partialArgs` (`{ jsonPath: '$.a.b[0]', stringValue |
 * numberValue | boolValue | nullValue, willContinue }`): string pieces for one path are joined,
 * other values set. The JSON text of what is set is written as it grows (a string left open
 * for the piece that may follow), so each addition is one `tool-call-delta` and the deltas join
 * into the arguments' JSON. Array indexes may only append (no sparse arrays). Paths that go back
 * into a closed object or array (never seen) still set the value, but the text stops there.
 */
function argsBuilder(): ArgsBuilder {
  const root: Record<string, unknown> = {}
  let text = ''
  // Open containers in the text, root first, and how many children each has written.
  const stack: { segment?: PathSegment; isArray: boolean; count: number }[] = []
  let openString: PathSegment[] | undefined
  let diverged = false

  const addEntry = (entry: unknown, data: string): string => {
    if (!isObject(entry) || typeof entry.jsonPath !== 'string') throw malformed(`${WHERE} partialArgs`, data)
    const path = parsePath(entry.jsonPath)
    if (path === undefined) throw malformed(`${WHERE} partialArgs.jsonPath`, data)
    let value: unknown
    if (typeof entry.stringValue === 'string') value = entry.stringValue
    else if (typeof entry.numberValue === 'number') value = entry.numberValue
    else if (typeof entry.boolValue === 'boolean') value = entry.boolValue
    else if ('nullValue' in entry) value = null
    else return ''

    // Walk to the leaf's container, creating what is missing; note where creation began.
    let container: Container = root
    let createdAt = -1
    for (let depth = 0; depth < path.length - 1; depth++) {
      const segment = path[depth] as PathSegment
      const childIsArray = typeof path[depth + 1] === 'number'
      let child = childAt(container, segment, data)
      if (child === undefined) {
        child = childIsArray ? [] : {}
        setChild(container, segment, child)
        if (createdAt === -1) createdAt = depth
      } else if (!isObject(child) || Array.isArray(child) !== childIsArray)
        throw malformed(`${WHERE} partialArgs.jsonPath`, data)
      container = child as Container
    }
    const leaf = path[path.length - 1] as PathSegment
    const existing = childAt(container, leaf, data)
    if (typeof value === 'string' && typeof existing === 'string') {
      setChild(container, leaf, existing + value)
      if (openString !== undefined && samePath(openString, path)) {
        const piece = JSON.stringify(value).slice(1, -1)
        text += piece
        return piece
      }
      diverged = true
      return ''
    }
    setChild(container, leaf, value)
    if (diverged) return ''
    if (existing !== undefined) {
      diverged = true
      return ''
    }

    let piece = ''
    if (openString !== undefined) piece += '"'
    openString = undefined
    if (stack.length === 0) {
      piece += '{'
      stack.push({ isArray: false, count: 0 })
    }
    // Containers the text still has open along the path; the rest must be new to be written.
    let common = 0
    while (common < path.length - 1 && common + 1 < stack.length && stack[common + 1]?.segment === path[common])
      common++
    if (common < path.length - 1 && createdAt !== common) {
      diverged = true
      return ''
    }
    while (stack.length > common + 1) piece += (stack.pop() as { isArray: boolean }).isArray ? ']' : '}'
    const member = (segment: PathSegment) => {
      const parent = stack[stack.length - 1] as { isArray: boolean; count: number }
      const comma = parent.count++ > 0 ? ',' : ''
      return parent.isArray ? comma : `${comma}${JSON.stringify(segment)}:`
    }
    for (let depth = common; depth < path.length - 1; depth++) {
      const segment = path[depth] as PathSegment
      const isArray = typeof path[depth + 1] === 'number'
      piece += member(segment) + (isArray ? '[' : '{')
      stack.push({ segment, isArray, count: 0 })
    }
    piece += member(leaf)
    const json = JSON.stringify(value)
    if (typeof value === 'string') {
      piece += json.slice(0, -1)
      openString = path
    } else piece += json
    text += piece
    return piece
  }

  return {
    add(entries, data) {
      let added = ''
      for (const entry of entries) added += addEntry(entry, data)
      return added
    },
    finish() {
      if (diverged) return ''
      let piece = openString !== undefined ? '"' : ''
      openString = undefined
      if (stack.length === 0) piece += '{}'
      while (stack.length > 0) piece += (stack.pop() as { isArray: boolean }).isArray ? ']' : '}'
      text += piece
      return piece
    },
    value: root,
    get text() {
      return text
    },
  }
}

function childAt(container: Container, segment: PathSegment, data: string): unknown {
  if (Array.isArray(container)) {
    // Only an existing element or the next one: an index past the end would make a sparse array.
    if (typeof segment !== 'number' || segment > container.length)
      throw malformed(`${WHERE} partialArgs.jsonPath`, data)
    return container[segment]
  }
  if (typeof segment !== 'string') throw malformed(`${WHERE} partialArgs.jsonPath`, data)
  return Object.hasOwn(container, segment) ? container[segment] : undefined
}

function setChild(container: Container, segment: PathSegment, value: unknown): void {
  // Defined, not assigned: a `__proto__` key is an own property, as JSON.parse makes it.
  Object.defineProperty(container, segment, { value, enumerable: true, writable: true, configurable: true })
}

function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i])
}

/** `$.recipe.ingredients[0].name` (and `['key']`) as segments; undefined when not such a path. */
function parsePath(path: string): PathSegment[] | undefined {
  if (path[0] !== '$') return undefined
  const segments: PathSegment[] = []
  let i = 1
  while (i < path.length) {
    if (segments.length === MAX_ARGS_DEPTH) return undefined
    if (path[i] === '.') {
      let end = i + 1
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++
      if (end === i + 1) return undefined
      segments.push(path.slice(i + 1, end))
      i = end
    } else if (path[i] === '[') {
      const close = path.indexOf(']', i)
      if (close === -1) return undefined
      const inner = path.slice(i + 1, close)
      const quote = inner[0]
      if (/^\d{1,9}$/.test(inner)) segments.push(Number(inner))
      else if ((quote === "'" || quote === '"') && inner.length >= 2 && inner.at(-1) === quote)
        segments.push(inner.slice(1, -1))
      else return undefined
      i = close + 1
    } else return undefined
  }
  return segments.length > 0 ? segments : undefined
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
  if (isTokenCount(prompt)) part.inputTokens = prompt
  if (isTokenCount(candidates) || isTokenCount(thoughts)) {
    part.outputTokens = (isTokenCount(candidates) ? candidates : 0) + (isTokenCount(thoughts) ? thoughts : 0)
  }
  if (isTokenCount(thoughts)) part.reasoningTokens = thoughts
  // Cached tokens are part of `promptTokenCount`, as `cachedInputTokens` counts them.
  if (isTokenCount(usage.cachedContentTokenCount)) part.cachedInputTokens = usage.cachedContentTokenCount
  return Object.keys(part).length > 1 ? part : undefined
}

/** Gemini's HTTP code for a status word, for the `code` field of an in-band error. */
const STATUS_CODES = wordTable<number>({
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
})

export interface GeminiEncoderOptions {
  /** `responseId` of every event, unless a `start` part brings its `messageId`. */
  id?: string
  /** `modelVersion` of every event, unless a `start` part brings its `model`. */
  model?: string
}

/**
 * Writes parts as a Gemini `streamGenerateContent?alt=sse` body: CRLF-framed
 * `GenerateContentResponse` events as Google sends them. Each `tool-call` is one whole
 * `functionCall` part (arguments are JSON text in `tool-call-delta`s, which partialArgs paths
 * cannot be rebuilt from: they write nothing). Usage is held and written on the finish event,
 * which carries the finishReason; `end()` writes nothing (the stream just ends).
 * Gemini has no words for a cut-off call, app data, steps or a cache write count: those write nothing.
 */
export function geminiEncoder(options: GeminiEncoderOptions = {}): ProtocolEncoder {
  let responseId = options.id ?? 'rivulet'
  let modelVersion = options.model ?? 'rivulet'
  let usage: Extract<StreamPart, { type: 'usage' }> | undefined

  const event = (parts: unknown[], finishReason?: string, extra?: Record<string, unknown>) => {
    const candidate: Record<string, unknown> = { content: { parts, role: 'model' } }
    if (finishReason !== undefined) candidate.finishReason = finishReason
    if (extra !== undefined) Object.assign(candidate, extra)
    candidate.index = 0
    const body: Record<string, unknown> = { candidates: [candidate] }
    if (finishReason !== undefined && usage !== undefined) body.usageMetadata = usageMetadata(usage)
    body.modelVersion = modelVersion
    body.responseId = responseId
    return geminiEvent(body)
  }

  /** A part with the thought signature the decoder read from the same part. */
  const signed = (part: Record<string, unknown>, metadata: ProviderMetadata | undefined) => {
    const signature = metadata?.google?.thoughtSignature
    if (typeof signature === 'string') part.thoughtSignature = signature
    return part
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
        case 'text-end':
        case 'reasoning-end': {
          // A signature rides on an empty part of its kind, as Gemini sends it at a block's end.
          const body: Record<string, unknown> = { text: '' }
          if (part.type === 'reasoning-end') body.thought = true
          signed(body, part.providerMetadata)
          return body.thoughtSignature === undefined ? '' : event([body])
        }
        case 'tool-call-delta':
        case 'tool-call-incomplete':
        case 'data':
        case 'step-start':
          return ''
        case 'tool-call': {
          if (part.providerExecuted && part.name === CODE_EXECUTION) return event([{ executableCode: part.args }])
          const call: Record<string, unknown> = { name: part.name }
          // `args` is a protobuf Struct: only a JSON object fits.
          if (isObject(part.args) && !Array.isArray(part.args)) call.args = part.args
          call.id = part.id
          return event([signed({ functionCall: call }, part.providerMetadata)])
        }
        case 'tool-result': {
          if (part.name === CODE_EXECUTION && isObject(part.result))
            return event([{ codeExecutionResult: part.result }])
          // `response` is a Struct too: anything else is wrapped, as Google's SDKs do (`output`).
          const response = isObject(part.result) && !Array.isArray(part.result) ? part.result : { output: part.result }
          return event([{ functionResponse: { id: part.id, name: part.name, response } }])
        }
        case 'source':
          if (part.url === undefined) return ''
          return event([], undefined, {
            groundingMetadata: {
              groundingChunks: [
                { web: part.title === undefined ? { uri: part.url } : { uri: part.url, title: part.title } },
              ],
            },
          })
        case 'file': {
          const inline = /^data:[^,]*;base64,/.exec(part.url)
          const body = inline
            ? { inlineData: { mimeType: part.mediaType, data: part.url.slice(inline[0].length) } }
            : { fileData: { mimeType: part.mediaType, fileUri: part.url } }
          return event([signed(body, part.providerMetadata)])
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
  if (usage.cachedInputTokens !== undefined) body.cachedContentTokenCount = usage.cachedInputTokens
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
