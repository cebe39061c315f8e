import { isStreamError, StreamError } from '../errors.js'
import { randomId } from '../id.js'
import type { BufferStrategy } from '../pipeline/buffer.js'
import { adoptUsage, type StreamProgress } from '../pipeline/progress.js'
import { sleep } from '../pipeline/rate-limit.js'
import type { StreamUsage, ToolCall } from '../pipeline/result.js'
import { defaultNow, streamTokens, type TokenStreamItem } from '../pipeline/stream-tokens.js'
import type { Transport } from '../transports/transport.js'
import type { FinishReason } from '../types.js'
import { type RetryOptions, retryDelayMs } from './retry.js'
import { frameScheduler, type Scheduler } from './scheduler.js'

export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'done' | 'error' | 'aborted'
export type MessageStatus = Exclude<ChatStatus, 'idle'>

export interface MessageMetrics {
  tokens: number
  ttftMs?: number
  tokensPerSecond: number
  durationMs: number
}

export interface ChatMessage {
  id: string
  role: 'system' | 'user' | 'assistant'
  content: string
  /** Assistant messages: the model's reasoning, when it streams any. */
  reasoning?: string
  toolCalls?: ToolCall[]
  /** Assistant messages: where this answer's stream is. */
  status?: MessageStatus
  finishReason?: FinishReason
  usage?: StreamUsage
  metrics?: MessageMetrics
  error?: StreamError
}

export interface ChatMessageInput {
  content: string
  role?: 'user' | 'system'
  id?: string
}

export interface ChatSnapshot {
  messages: readonly ChatMessage[]
  status: ChatStatus
  error?: StreamError
  progress?: StreamProgress
}

export interface ChatSessionOptions {
  transport: Transport
  initialMessages?: readonly ChatMessage[]
  /** How text is cut into display units. Default 'none' (each delta as it comes). */
  buffer?: BufferStrategy
  /** Max tokens per second shown. Default unlimited. */
  rateLimit?: number
  /** Expected answer size for percent and ETA. Default: the transport's max tokens. */
  estimatedTokens?: number
  /** Retries before the first token; `false` for none. Default 3 attempts. */
  retry?: RetryOptions | false
  /** No first text, reasoning or tool call within this long → kind `timeout`. */
  firstTokenTimeoutMs?: number
  /** No bytes for this long → kind `timeout`. */
  stallTimeoutMs?: number
  /** How notifications are batched. Default: once per animation frame. */
  scheduler?: Scheduler
  now?: () => number
  random?: () => number
  generateId?: () => string
  onFinish?(message: ChatMessage): void
  onError?(error: StreamError, message: ChatMessage): void
}

export interface SendOptions {
  /** Abort a live stream first instead of rejecting. */
  interrupt?: boolean
}

/**
 * One conversation: state, actions and subscribe, with no framework. React binds it with
 * useSyncExternalStore; anything else calls `subscribe` and `getSnapshot`.
 *
 * Listeners run at most once per frame however fast tokens arrive; a status change notifies
 * at once. `getSnapshot()` returns the same object until something changed, and a change
 * replaces only the streaming message.
 *
 * @example
 * const chat = createChatSession({ transport: openaiCompatible({ model: 'gpt-4o-mini', apiKey }) })
 * chat.subscribe(() => render(chat.getSnapshot()))
 * await chat.send('Hello!')
 */
export interface ChatSession {
  /** Resolves when the answer ends (done, error or aborted); rejects only if a stream is live. */
  send(input: string | ChatMessageInput, options?: SendOptions): Promise<void>
  /** Stops the live stream; the partial answer stays, marked aborted. */
  abort(): void
  /** Stops the live stream and clears the conversation. */
  reset(): void
  /** Replaces the last assistant answer with a new one. */
  regenerate(): Promise<void>
  setMessages(messages: readonly ChatMessage[] | ((messages: readonly ChatMessage[]) => readonly ChatMessage[])): void
  subscribe(listener: () => void): () => void
  getSnapshot(): ChatSnapshot
}

export function createChatSession(options: ChatSessionOptions): ChatSession {
  return new Session(options)
}

/** The answer being streamed: mutated per token, turned into a message once per frame. */
interface Draft {
  id: string
  content: string
  reasoning: string
  toolCalls: ToolCall[]
  status: MessageStatus
  finishReason?: FinishReason
  usage?: StreamUsage
  error?: StreamError
  progress?: StreamProgress
}

class Session implements ChatSession {
  private readonly listeners = new Set<() => void>()
  private readonly now: () => number
  private readonly scheduler: Scheduler
  private readonly generateId: () => string
  private messages: readonly ChatMessage[]
  private status: ChatStatus = 'idle'
  private error: StreamError | undefined
  private draft: Draft | undefined
  private controller: AbortController | undefined
  private snapshot: ChatSnapshot
  private cancelScheduled: (() => void) | undefined
  /** The finished answer's progress stays in the snapshot until the next send or reset. */
  private lastProgress: StreamProgress | undefined

  constructor(private readonly options: ChatSessionOptions) {
    this.now = options.now ?? defaultNow
    this.scheduler = options.scheduler ?? frameScheduler
    this.generateId = options.generateId ?? randomId
    this.messages = options.initialMessages ?? []
    this.snapshot = { messages: this.messages, status: 'idle' }
  }

  getSnapshot = (): ChatSnapshot => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  send = async (input: string | ChatMessageInput, sendOptions: SendOptions = {}): Promise<void> => {
    this.ensureIdle(sendOptions)
    const message = typeof input === 'string' ? { content: input } : input
    const user: ChatMessage = {
      id: message.id ?? this.generateId(),
      role: message.role ?? 'user',
      content: message.content,
    }
    this.messages = [...this.messages, user]
    return this.start()
  }

  regenerate = async (): Promise<void> => {
    this.ensureIdle({ interrupt: true })
    let last = this.messages.length - 1
    while (last >= 0 && this.messages[last]?.role === 'assistant') last--
    if (last < 0) return
    this.messages = this.messages.slice(0, last + 1)
    return this.start()
  }

  abort = (): void => {
    if (!this.controller || this.controller.signal.aborted) return
    this.controller.abort(new StreamError('aborted', 'Stopped by the user'))
    if (this.draft) {
      this.draft.status = 'aborted'
      this.status = 'aborted'
      this.commit()
    }
  }

  reset = (): void => {
    this.abort()
    this.lastProgress = undefined
    this.draft = undefined
    this.controller = undefined
    this.messages = []
    this.status = 'idle'
    this.error = undefined
    this.commit()
  }

  setMessages: ChatSession['setMessages'] = (next) => {
    this.abort()
    this.draft = undefined
    this.messages = typeof next === 'function' ? next(this.messages) : next
    this.commit()
  }

  private ensureIdle(sendOptions: SendOptions): void {
    if (this.status === 'submitted' || this.status === 'streaming') {
      if (!sendOptions.interrupt) {
        throw new Error('A response is still streaming: call abort() first, or send with { interrupt: true }')
      }
      this.abort()
    }
    // An answer aborted a moment ago may still be taking its last buffered text: settle it now.
    if (this.draft) this.end(this.draft, 'aborted')
  }

  private start(): Promise<void> {
    const controller = new AbortController()
    this.controller = controller
    const history = this.messages.map(({ role, content }) => ({ role, content }))
    this.draft = { id: this.generateId(), content: '', reasoning: '', toolCalls: [], status: 'submitted' }
    // Progress exists from the moment of sending, so a UI can show time passing before the first token.
    const estimatedTokens = this.estimatedTokens()
    this.draft.progress = { tokens: 0, elapsedMs: 0, tokensPerSecond: 0 }
    if (estimatedTokens) Object.assign(this.draft.progress, { estimatedTokens, percent: 0 })
    this.status = 'submitted'
    this.error = undefined
    this.lastProgress = undefined
    this.commit()
    return this.stream(this.draft, history, controller)
  }

  private async stream(
    draft: Draft,
    history: { role: ChatMessage['role']; content: string }[],
    controller: AbortController,
  ) {
    const { options } = this
    const startedAt = this.now()
    const random = options.random ?? Math.random
    for (let attempt = 0; ; attempt++) {
      const attemptController = new AbortController()
      const stopAttempt = () => attemptController.abort(controller.signal.reason)
      controller.signal.addEventListener('abort', stopAttempt, { once: true })
      const timers = new Timers(attemptController, options)
      let output = false
      try {
        const items = streamTokens(
          options.transport({ messages: history, signal: attemptController.signal, onActivity: timers.activity }),
          {
            buffer: options.buffer,
            rateLimit: options.rateLimit,
            estimatedTokens: this.estimatedTokens(),
            now: this.now,
            startedAt,
            signal: attemptController.signal,
          },
        )
        for await (const item of items) {
          if (this.draft !== draft) return // reset or replaced: this answer is gone
          if (this.apply(draft, item)) {
            if (!output) {
              output = true
              timers.firstOutput()
              if (draft.status === 'submitted') {
                draft.status = 'streaming'
                this.status = 'streaming'
                this.commit()
                continue
              }
            }
          }
          timers.activity()
          this.schedule()
        }
        if (this.draft !== draft) return
        this.end(draft, controller.signal.aborted ? 'aborted' : 'done')
        return
      } catch (caught) {
        if (this.draft !== draft) return
        if (controller.signal.aborted) {
          this.end(draft, 'aborted')
          return
        }
        const error = toStreamError(caught, attemptController.signal)
        const delay =
          output || options.retry === false ? undefined : retryDelayMs(error, attempt, options.retry || {}, random)
        if (delay === undefined) {
          this.end(draft, 'error', error)
          return
        }
        try {
          await sleep(delay, controller.signal)
        } catch {
          if (this.draft === draft) this.end(draft, 'aborted')
          return
        }
      } finally {
        timers.clear()
        controller.signal.removeEventListener('abort', stopAttempt)
      }
    }
  }

  private estimatedTokens(): number | undefined {
    return this.options.estimatedTokens ?? this.options.transport.maxTokens
  }

  /** Applies one item to the draft; true if it is output the user sees. */
  private apply(draft: Draft, item: TokenStreamItem): boolean {
    switch (item.type) {
      case 'token':
        if (item.channel === 'text') draft.content += item.text
        else draft.reasoning += item.text
        draft.progress = item.progress
        return true
      case 'tool-call':
        draft.toolCalls.push({ index: item.index, id: item.id, name: item.name, args: item.args })
        return true
      case 'usage': {
        const { type: _, ...usage } = item
        draft.usage = { ...draft.usage, ...usage }
        // Usage after the last token reaches the progress here (usage wins over counted deltas);
        // before the first token (Anthropic's message_start) there is nothing to show yet.
        if (draft.progress?.ttftMs !== undefined && usage.outputTokens !== undefined)
          draft.progress = adoptUsage(draft.progress, usage.outputTokens)
        return false
      }
      case 'finish':
        draft.finishReason = item.reason
        return false
      default:
        return false
    }
  }

  private end(draft: Draft, status: 'done' | 'error' | 'aborted', error?: StreamError): void {
    // Text grown with `+=` is a rope of one node per token (~5× the text's size in V8); reading
    // a character makes the engine flatten it once, so a finished answer holds its text's size.
    draft.content.charCodeAt(0)
    draft.reasoning.charCodeAt(0)
    draft.status = status
    if (error) draft.error = error
    if (draft.progress && status === 'done') draft.progress = { ...draft.progress, ...finalProgress(draft.progress) }
    this.lastProgress = draft.progress
    this.status = status
    this.error = error
    const message = toMessage(draft)
    this.messages = [...this.messages, message]
    this.draft = undefined
    this.controller = undefined
    this.commit()
    if (error) this.options.onError?.(error, message)
    else if (status === 'done') this.options.onFinish?.(message)
  }

  /** Notifies once per frame, whatever the number of changes before it. */
  private schedule(): void {
    if (this.cancelScheduled) return
    let ran = false
    const cancel = this.scheduler(() => {
      ran = true
      this.cancelScheduled = undefined
      this.commit()
    })
    // A synchronous scheduler has already flushed: there is nothing pending to cancel.
    if (!ran) this.cancelScheduled = cancel
  }

  /** Builds the new snapshot and notifies now. */
  private commit(): void {
    if (this.cancelScheduled) {
      const cancel = this.cancelScheduled
      this.cancelScheduled = undefined
      cancel()
    }
    const { draft } = this
    // While an answer streams, `messages` is the history before it; the answer is appended to
    // a new array each frame, so every other message object is shared, never copied.
    const messages = draft ? [...this.messages, toMessage(draft)] : this.messages
    const snapshot: ChatSnapshot = { messages, status: this.status }
    if (this.error) snapshot.error = this.error
    const progress = draft?.progress ?? (this.status === 'idle' ? undefined : this.lastProgress)
    if (progress) snapshot.progress = progress
    this.snapshot = snapshot
    for (const listener of this.listeners) listener()
  }
}

function toMessage(draft: Draft): ChatMessage {
  const message: ChatMessage = { id: draft.id, role: 'assistant', content: draft.content, status: draft.status }
  if (draft.reasoning) message.reasoning = draft.reasoning
  if (draft.toolCalls.length > 0) message.toolCalls = draft.toolCalls.slice()
  if (draft.finishReason) message.finishReason = draft.finishReason
  if (draft.usage) message.usage = draft.usage
  if (draft.error) message.error = draft.error
  if (draft.progress) {
    const { tokens, ttftMs, tokensPerSecond, elapsedMs } = draft.progress
    message.metrics = { tokens, tokensPerSecond, durationMs: elapsedMs, ...(ttftMs !== undefined && { ttftMs }) }
  }
  return message
}

function finalProgress(progress: StreamProgress): Partial<StreamProgress> {
  return progress.estimatedTokens === undefined ? {} : { percent: 100, etaMs: 0 }
}

function toStreamError(error: unknown, signal: AbortSignal): StreamError {
  // A timeout aborts the attempt with its own error as the reason.
  if (signal.aborted && isStreamError(signal.reason)) return signal.reason
  if (isStreamError(error)) return error
  return new StreamError('network', error instanceof Error ? error.message : String(error), { cause: error })
}

/**
 * First-token and stall timeouts for one attempt; each aborts it with kind `timeout`.
 * Activity only records a time (it runs per chunk); the stall timer re-arms itself for the rest.
 */
class Timers {
  private first: ReturnType<typeof setTimeout> | undefined
  private stall: ReturnType<typeof setTimeout> | undefined
  private lastActivity = Date.now()

  constructor(
    private readonly controller: AbortController,
    options: Pick<ChatSessionOptions, 'firstTokenTimeoutMs' | 'stallTimeoutMs'>,
  ) {
    const { firstTokenTimeoutMs, stallTimeoutMs } = options
    if (firstTokenTimeoutMs) {
      this.first = setTimeout(() => this.fire(`No first token within ${firstTokenTimeoutMs} ms`), firstTokenTimeoutMs)
    }
    if (stallTimeoutMs) this.watchStall(stallTimeoutMs, stallTimeoutMs)
  }

  activity = (): void => {
    this.lastActivity = Date.now()
  }

  firstOutput(): void {
    clearTimeout(this.first)
    this.first = undefined
  }

  clear(): void {
    clearTimeout(this.first)
    clearTimeout(this.stall)
  }

  private watchStall(limitMs: number, waitMs: number): void {
    this.stall = setTimeout(() => {
      const quietMs = Date.now() - this.lastActivity
      if (quietMs >= limitMs) this.fire(`The stream stalled: nothing for ${limitMs} ms`)
      else this.watchStall(limitMs, limitMs - quietMs)
    }, waitMs)
  }

  private fire(message: string): void {
    this.clear()
    this.controller.abort(new StreamError('timeout', message))
  }
}
