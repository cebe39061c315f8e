/**
 * The one reducer from a token stream to an assistant message's parts. The session, the
 * result collector and the TanStack Query integration all build their answers with it.
 *
 * Per item the work is constant: text is appended to the open part, tool arguments go through
 * an incremental parser, and nothing is copied. A snapshot copies only the parts that changed
 * since the previous one, and derives `content` and `reasoning` there, once.
 */
import { PartialJSON } from '../pipeline/partial-json.js'
import type { StreamProgress } from '../pipeline/progress.js'
import type { StreamUsage } from '../pipeline/result.js'
import type { TokenStreamItem } from '../pipeline/stream-tokens.js'
import type { FinishReason, ProviderMetadata } from '../types.js'
import type { MessageMetrics, MessagePart, ToolPart, ToolState } from './message.js'

/** What a snapshot of the answer holds: its parts and the views derived from them. */
export interface MessageContent {
  parts: MessagePart[]
  content: string
  reasoning?: string
  finishReason?: FinishReason
  usage?: StreamUsage
  metrics?: MessageMetrics
}

export interface MessageBuilderOptions {
  /** The message to go on from (the next step of a tool loop): its parts come first. */
  from?: Readonly<MessageContent>
  /**
   * Tool call ids already used in the conversation. A provider's id that is missing or taken
   * gets a fresh one, so ids stay unique; every id the builder gives out is added here.
   */
  takenIds?: Set<string>
}

const OUTPUT_STATES: ReadonlySet<ToolState> = new Set(['output-available', 'output-error', 'output-denied'])

/** Whether a tool part has its outcome (an output, an error, or a denial). */
export function hasToolOutput(part: ToolPart): boolean {
  return OUTPUT_STATES.has(part.state)
}

/**
 * Builds an assistant message from `streamTokens` items, in arrival order.
 *
 * @example
 * const builder = new MessageBuilder()
 * for await (const item of streamTokens(parts)) builder.add(item)
 * builder.snapshot() // { parts: [{ type: 'text', text: 'Hello' }], content: 'Hello', … }
 */
export class MessageBuilder {
  /** The parts as they grow: mutable, never handed out. */
  private readonly parts: MessagePart[] = []
  /** The parts as the last snapshot published them: never mutated. */
  private published: MessagePart[] = []
  private readonly dirty: number[] = []
  private readonly dirtyFlags: boolean[] = []
  private cached: MessageContent | undefined
  /** The last part, when it is a text or reasoning block still open for deltas. */
  private open: 'text' | 'reasoning' | undefined
  /** Index of the last text / reasoning part, and the joined text of those before it. */
  private textAt = -1
  private textBefore = ''
  /** The step the last text part is in: text from a later step is set off by a blank line in `content`. */
  private textStep = 0
  private reasoningAt = -1
  private reasoningBefore = ''
  /** This step's tool calls by stream index and by the provider's id (tool-results link by it). */
  private byIndex = new Map<number, number>()
  private byProviderId = new Map<string, number>()
  private readonly byToolCallId = new Map<string, number>()
  /** Parsers of arguments still streaming, by part index. */
  private readonly args = new Map<number, PartialJSON>()
  /** Files and data parts a later one with the same id replaces. */
  private readonly replaceable = new Map<string, number>()
  private readonly takenIds: Set<string>
  private stepFrom = 0
  private steps = 1
  private usageBefore: StreamUsage | undefined
  private stepUsage: StreamUsage | undefined

  finishReason: FinishReason | undefined
  rawFinishReason: string | undefined
  progress: StreamProgress | undefined
  messageId: string | undefined
  model: string | undefined

  constructor(options: MessageBuilderOptions = {}) {
    this.takenIds = options.takenIds ?? new Set()
    const from = options.from
    if (from) {
      for (const part of from.parts) this.pushPart({ ...part }, false)
      // The parts it goes on from are published already: only what changes next is copied.
      this.published = from.parts.slice()
      this.dirty.length = 0
      this.dirtyFlags.length = 0
      this.open = undefined
      this.usageBefore = from.usage
      this.finishReason = from.finishReason
    }
  }

  /** How many model requests this answer took so far: one, plus one per `step-start`. */
  get stepCount(): number {
    return this.steps
  }

  /** Usage over every step so far. */
  get usage(): StreamUsage | undefined {
    return this.stepUsage ? addUsage(this.usageBefore, this.stepUsage) : this.usageBefore
  }

  /** The tool parts of the current step (their live state; do not mutate). */
  stepTools(): ToolPart[] {
    return this.tools(this.stepFrom)
  }

  /** The tool parts from part `from` on (their live state; do not mutate). */
  tools(from = 0): ToolPart[] {
    const tools: ToolPart[] = []
    for (let i = from; i < this.parts.length; i++) {
      const part = this.parts[i] as MessagePart
      if (part.type === 'tool') tools.push(part)
    }
    return tools
  }

  /** A tool part by its id (its live state; change it with `updateTool`). */
  tool(toolCallId: string): Readonly<ToolPart> | undefined {
    const at = this.byToolCallId.get(toolCallId)
    return at === undefined ? undefined : (this.parts[at] as ToolPart)
  }

  /** Changes a tool part (an output, an approval); returns false if there is no such part. */
  updateTool(toolCallId: string, patch: Partial<Omit<ToolPart, 'type' | 'toolCallId'>>): boolean {
    const at = this.byToolCallId.get(toolCallId)
    if (at === undefined) return false
    Object.assign(this.parts[at] as ToolPart, patch)
    if (patch.state !== undefined && patch.state !== 'input-streaming') this.args.delete(at)
    this.touch(at)
    return true
  }

  /**
   * The boundary before the next model request of the answer: a `step-start` part (none before
   * the first part, never two in a row), and a fresh scope for the next step's tool indexes.
   */
  startStep(): void {
    const last = this.parts[this.parts.length - 1]
    this.byIndex = new Map()
    this.byProviderId = new Map()
    this.finishReason = undefined
    this.rawFinishReason = undefined
    if (this.stepUsage) {
      this.usageBefore = addUsage(this.usageBefore, this.stepUsage)
      this.stepUsage = undefined
    }
    if (last === undefined || last.type === 'step-start') return
    this.pushPart({ type: 'step-start' })
  }

  /**
   * Applies one item. Returns the part it added or changed (a tool part as it stands now), or
   * `undefined` for items that change no part (usage, finish, start).
   */
  add(item: TokenStreamItem): MessagePart | undefined {
    switch (item.type) {
      case 'token':
        this.progress = item.progress
        return this.appendText(item.channel, item.text)
      case 'text-end':
      case 'reasoning-end':
        return this.endBlock(item.type === 'text-end' ? 'text' : 'reasoning', item.providerMetadata)
      case 'tool-call-delta':
        return this.toolDelta(item.index, item.id, item.name, item.argsDelta)
      case 'tool-call': {
        let at = this.streamingCall(item.index, item.id)
        if (at === undefined) at = this.addTool(item.index, item.id, item.name)
        else this.linkProviderId(at, item.id)
        const part = this.parts[at] as ToolPart
        this.args.delete(at)
        part.name = item.name
        part.input = item.args
        part.state = 'input-available'
        if (item.providerExecuted) part.providerExecuted = true
        if (item.providerMetadata) part.providerMetadata = mergeMetadata(part.providerMetadata, item.providerMetadata)
        this.touch(at)
        return part
      }
      case 'tool-call-incomplete': {
        let at = this.streamingCall(item.index, item.id)
        if (at === undefined) at = this.addTool(item.index, item.id, item.name)
        const part = this.parts[at] as ToolPart
        let parser = this.args.get(at)
        if (parser === undefined) {
          parser = new PartialJSON()
          parser.push(item.argsText)
        }
        this.args.delete(at)
        part.name = item.name || part.name
        part.input = parser.snapshot()
        part.state = 'output-error'
        part.errorText = `The answer reached its output token limit while writing the arguments of ${part.name || 'this tool call'}; the call was not run.`
        this.touch(at)
        return part
      }
      case 'tool-result': {
        let at = this.byProviderId.get(item.id)
        if (at === undefined) at = this.addTool(undefined, item.id, item.name)
        const part = this.parts[at] as ToolPart
        this.args.delete(at)
        part.output = item.result
        if (item.isError) {
          part.state = 'output-error'
          part.errorText = typeof item.result === 'string' ? item.result : (safeJSON(item.result) ?? 'The tool failed')
        } else part.state = 'output-available'
        if (item.providerExecuted ?? true) part.providerExecuted = true
        if (item.providerMetadata) part.providerMetadata = mergeMetadata(part.providerMetadata, item.providerMetadata)
        this.touch(at)
        return part
      }
      case 'source': {
        const { type: _, ...source } = item
        return this.pushPart({ type: 'source', ...source })
      }
      case 'file': {
        const { type: _, partial, ...file } = item
        const part: MessagePart = partial ? { type: 'file', ...file, partial: true } : { type: 'file', ...file }
        return file.id === undefined ? this.pushPart(part) : this.replaceOrPush(`file:${file.id}`, part)
      }
      case 'data': {
        // Transient data is for the moment (a status line), not for the message.
        if (item.transient) return undefined
        const part: MessagePart = { type: 'data', name: item.name, data: item.data }
        if (item.id === undefined) return this.pushPart(part)
        part.id = item.id
        return this.replaceOrPush(`data:${item.name}:${item.id}`, part)
      }
      case 'step-start':
        this.startStep()
        return undefined
      case 'usage': {
        const { type: _, progress, ...counts } = item
        this.stepUsage = { ...this.stepUsage, ...counts }
        // Usage before the first token (Anthropic's message_start) has no progress to show yet.
        if (this.progress?.ttftMs !== undefined) this.progress = progress
        this.cached = undefined
        return undefined
      }
      case 'finish':
        this.finishReason = item.reason
        this.rawFinishReason = item.raw
        this.progress = item.progress
        this.cached = undefined
        return undefined
      case 'start':
        if (item.messageId !== undefined) this.messageId = item.messageId
        if (item.model !== undefined) this.model = item.model
        return undefined
    }
  }

  /** The answer as it stands: the same object until something changed. */
  snapshot(): MessageContent {
    if (this.cached !== undefined && this.dirty.length === 0) return this.cached
    let published = this.published
    if (this.dirty.length > 0) {
      published = published.slice()
      for (const at of this.dirty) {
        published[at] = this.copy(at)
        this.dirtyFlags[at] = false
      }
      this.dirty.length = 0
      this.published = published
    }
    const content: MessageContent = { parts: published, content: this.joined('text') }
    const reasoning = this.joined('reasoning')
    if (this.reasoningAt >= 0) content.reasoning = reasoning
    if (this.finishReason !== undefined) content.finishReason = this.finishReason
    const usage = this.usage
    if (usage !== undefined) content.usage = usage
    if (this.progress !== undefined) content.metrics = metricsOf(this.progress)
    this.cached = content
    return content
  }

  /**
   * The stream is over. Text grown with `+=` is a rope of one node per token (~5× the text's
   * size in V8); reading a character flattens it once, so a finished answer holds its text's size.
   */
  end(): void {
    for (const part of this.parts) if (part.type === 'text' || part.type === 'reasoning') part.text.charCodeAt(0)
    this.open = undefined
  }

  private joined(type: 'text' | 'reasoning'): string {
    const at = type === 'text' ? this.textAt : this.reasoningAt
    const before = type === 'text' ? this.textBefore : this.reasoningBefore
    if (at < 0) return before
    const text = (this.parts[at] as { text: string }).text
    return before === '' ? text : before + text
  }

  private appendText(type: 'text' | 'reasoning', text: string): MessagePart {
    const last = this.parts.length - 1
    if (this.open === type) {
      const part = this.parts[last] as { text: string }
      part.text += text
      this.touch(last)
      return part as MessagePart
    }
    return this.pushPart(
      { type, text },
      true, // pushPart closes any open block; this one opens after it
    )
  }

  private endBlock(type: 'text' | 'reasoning', metadata: ProviderMetadata | undefined): MessagePart | undefined {
    const last = this.parts.length - 1
    if (this.open === type) {
      this.open = undefined
      if (metadata === undefined) return undefined
      const part = this.parts[last] as { providerMetadata?: ProviderMetadata }
      part.providerMetadata = mergeMetadata(part.providerMetadata, metadata)
      this.touch(last)
      return part as MessagePart
    }
    // A block with no text at all (redacted thinking) exists only for its metadata.
    if (metadata === undefined) return undefined
    const part = this.pushPart({ type, text: '', providerMetadata: metadata })
    return part
  }

  private toolDelta(index: number, id: string | undefined, name: string | undefined, delta: string): MessagePart {
    let at = this.streamingCall(index, id)
    if (at === undefined) {
      at = this.addTool(index, id ?? '', name ?? '')
      ;(this.parts[at] as ToolPart).state = 'input-streaming'
      this.args.set(at, new PartialJSON())
    } else if (id) this.linkProviderId(at, id)
    const part = this.parts[at] as ToolPart
    if (name && !part.name) part.name = name
    const parser = this.args.get(at) as PartialJSON
    parser.push(delta)
    // The parser's live value; a snapshot copies its open containers (once per snapshot, not per delta).
    part.input = parser.value
    this.touch(at)
    return part
  }

  /** The part of a call at this stream index whose arguments are still arriving, if any. */
  private streamingCall(index: number, id: string | undefined): number | undefined {
    const at = this.byIndex.get(index)
    if (at === undefined || !this.args.has(at)) return undefined
    // The same index with another id is another call (providers that reuse indexes).
    const known = this.providerIds.get(at)
    if (id && known && id !== known) return undefined
    return at
  }

  private readonly providerIds = new Map<number, string>()

  private linkProviderId(at: number, id: string | undefined): void {
    if (!id || this.providerIds.get(at)) return
    this.providerIds.set(at, id)
    this.byProviderId.set(id, at)
  }

  private addTool(index: number | undefined, providerId: string | undefined, name: string): number {
    const toolCallId = this.uniqueId(providerId ?? '')
    const part: ToolPart = { type: 'tool', toolCallId, name, state: 'input-available' }
    this.pushPart(part)
    const at = this.parts.length - 1
    if (index !== undefined) this.byIndex.set(index, at)
    this.byToolCallId.set(toolCallId, at)
    this.linkProviderId(at, providerId)
    return at
  }

  /** The provider's id when it is new in the conversation; else one that is (Gemini sends none). */
  private uniqueId(providerId: string): string {
    let id = providerId
    if (id === '' || this.takenIds.has(id)) {
      const stem = id === '' ? 'call' : id
      let n = this.takenIds.size + 1
      do id = `${stem}_${n++}`
      while (this.takenIds.has(id))
    }
    this.takenIds.add(id)
    return id
  }

  private replaceOrPush(key: string, part: MessagePart): MessagePart {
    const at = this.replaceable.get(key)
    if (at === undefined) {
      this.pushPart(part)
      this.replaceable.set(key, this.parts.length - 1)
      return part
    }
    this.parts[at] = part
    this.touch(at)
    return part
  }

  private pushPart(part: MessagePart, opens = false): MessagePart {
    const at = this.parts.length
    this.parts.push(part)
    this.open = undefined
    if (part.type === 'text') {
      if (this.textAt >= 0) {
        const previous = (this.parts[this.textAt] as { text: string }).text
        this.textBefore += previous
        if (this.steps !== this.textStep && this.textBefore !== '') this.textBefore += '\n\n'
      }
      this.textAt = at
      this.textStep = this.steps
      if (opens) this.open = 'text'
    } else if (part.type === 'reasoning') {
      if (this.reasoningAt >= 0) this.reasoningBefore += (this.parts[this.reasoningAt] as { text: string }).text
      this.reasoningAt = at
      if (opens) this.open = 'reasoning'
    } else if (part.type === 'tool') {
      this.byToolCallId.set(part.toolCallId, at)
      this.takenIds.add(part.toolCallId)
    } else if (part.type === 'step-start') {
      this.stepFrom = at + 1
      this.steps++
    }
    this.touch(at)
    return part
  }

  private touch(at: number): void {
    this.cached = undefined
    if (this.dirtyFlags[at]) return
    this.dirtyFlags[at] = true
    this.dirty.push(at)
  }

  private copy(at: number): MessagePart {
    const part = this.parts[at] as MessagePart
    const copy = { ...part }
    // Streaming arguments are the parser's live containers: a snapshot gets its own copy of the
    // open ones, sharing those already closed.
    const parser = copy.type === 'tool' ? this.args.get(at) : undefined
    if (parser !== undefined) (copy as ToolPart).input = parser.snapshot()
    return copy
  }
}

function metricsOf(progress: StreamProgress): MessageMetrics {
  const { tokens, ttftMs, tokensPerSecond, elapsedMs } = progress
  const metrics: MessageMetrics = { tokens, tokensPerSecond, durationMs: elapsedMs }
  if (ttftMs !== undefined) metrics.ttftMs = ttftMs
  return metrics
}

const USAGE_KEYS = [
  'inputTokens',
  'outputTokens',
  'reasoningTokens',
  'cachedInputTokens',
  'cacheWriteInputTokens',
] as const satisfies readonly (keyof StreamUsage)[]

/** Usage of two requests added up, field by field. */
function addUsage(a: StreamUsage | undefined, b: StreamUsage): StreamUsage {
  if (a === undefined) return { ...b }
  const sum: StreamUsage = {}
  for (const key of USAGE_KEYS) {
    const x = a[key]
    const y = b[key]
    if (x !== undefined || y !== undefined) sum[key] = (x ?? 0) + (y ?? 0)
  }
  return sum
}

function mergeMetadata(a: ProviderMetadata | undefined, b: ProviderMetadata): ProviderMetadata {
  if (a === undefined) return b
  const merged: ProviderMetadata = { ...a }
  for (const key of Object.keys(b)) merged[key] = { ...a[key], ...b[key] }
  return merged
}

/** A deep copy of a parsed JSON value (plain objects, arrays, primitives). */
function safeJSON(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}
