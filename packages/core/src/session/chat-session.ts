import { isStreamError, StreamError } from '../errors.js'
import { randomId } from '../id.js'
import type { BufferStrategy } from '../pipeline/buffer.js'
import type { StreamProgress } from '../pipeline/progress.js'
import { sleep } from '../pipeline/rate-limit.js'
import { defaultNow, streamTokens } from '../pipeline/stream-tokens.js'
import type { Transport, TransportRequest } from '../transports/transport.js'
import type {
  ChatFileInput,
  ChatMessage,
  ChatStatus,
  FilePart,
  MessagePart,
  MessageStatus,
  ToolDefinition,
  ToolPart,
} from './message.js'
import { hasToolOutput, MessageBuilder, type MessageContent } from './message-builder.js'
import { type RetryOptions, retryDelayMs } from './retry.js'
import { frameScheduler, type Scheduler } from './scheduler.js'
import { validateInput } from './validate-input.js'

export type { ChatMessage, ChatStatus, MessageMetrics, MessageStatus } from './message.js'

/** A message to send: its text, and files (images, documents) to go with it. */
export interface ChatMessageInput {
  text: string
  /** `File` and `Blob` become `data:` URL file parts; `{ url, mediaType }` is sent as it is. */
  files?: readonly ChatFileInput[]
  role?: 'user' | 'system'
  id?: string
}

/** What `send` does while an answer is live. */
export type WhenBusy = 'queue' | 'interrupt' | 'reject'

/** A tool call whose input is complete, as `onToolCall` sees it. */
export interface ToolCallInfo {
  toolCallId: string
  name: string
  input: unknown
}

/** The outcome of a tool call the app ran: its output, or an error the model is told about. */
export type ToolResult = { toolCallId: string; output: unknown } | { toolCallId: string; errorText: string }

/** The user's answer to a call that needs approval. */
export interface ToolApproval {
  toolCallId: string
  approved: boolean
  reason?: string
}

export interface ChatSnapshot {
  messages: readonly ChatMessage[]
  status: ChatStatus
  error?: StreamError
  progress?: StreamProgress
}

export interface ChatSessionOptions {
  transport: Transport
  /** Read once, when the session is created. */
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
  /**
   * The tools the model may call, by name. A call to a name not here, or with arguments its
   * `inputSchema` rejects, becomes an `output-error` the model is told about. Without `tools`,
   * every call is the app's to answer (`onToolCall`, then `addToolResult`).
   */
  tools?: Record<string, ToolDefinition>
  /** Model requests per answer: the first one, plus one per tool round. Default 5. */
  maxSteps?: number
  /** Each tool call, once, as soon as its input is complete (before any `execute`). */
  onToolCall?(call: ToolCallInfo): void
  /** What `send` does while an answer is live. Default `'queue'`. */
  whenBusy?: WhenBusy
  /** How notifications are batched. Default: once per animation frame. */
  scheduler?: Scheduler
  now?: () => number
  random?: () => number
  generateId?: () => string
  /**
   * Every answer that comes to rest: done, stopped or failed (persist partial answers here). An
   * answer that waits for `addToolResult` or `respondToApproval` rests as done; when it goes on,
   * it calls this again as it ends.
   */
  onFinish?(message: ChatMessage, info: { status: 'done' | 'aborted' | 'error' }): void
  onError?(error: StreamError, message: ChatMessage): void
}

export interface SendOptions {
  /** What this send does while an answer is live; default the session's `whenBusy`. */
  whenBusy?: WhenBusy
}

/**
 * One conversation: state, actions and subscribe, with no framework. React binds it with
 * useSyncExternalStore; anything else calls `subscribe` and `getSnapshot`.
 *
 * Listeners run at most once per frame however fast tokens arrive, and only when the snapshot
 * changed; a status change notifies at once. `getSnapshot()` returns the same object until
 * something changed, and a change replaces only the messages that changed.
 *
 * Tools: a step that ends with finish `tool-calls` goes on by itself (the next request, in the
 * same assistant message after a `step-start` part) once every tool call of the step has its
 * outcome, up to `maxSteps` requests.
 *
 * History: editing a message or regenerating an answer keeps the earlier versions as branches;
 * `messages` is the selected branch, and it is what the transport receives.
 *
 * @example
 * const chat = createChatSession({ transport: openaiCompatible({ model: 'gpt-4o-mini', apiKey }), tools: { weather } })
 * chat.subscribe(() => render(chat.getSnapshot()))
 * await chat.send('Weather in Oslo?')
 */
export interface ChatSession {
  /**
   * Sends a message and streams the answer. Resolves when the answer comes to rest (done,
   * error, aborted, or waiting for a tool result); while an answer is live it queues,
   * interrupts or rejects as `whenBusy` says.
   */
  send(input: string | ChatMessageInput, options?: SendOptions): Promise<void>
  /** Stops the live stream and any running `execute`; the partial answer stays, marked aborted. */
  abort(): void
  /** Stops the live stream and clears the conversation. */
  reset(): void
  /** Asks again for the last answer; the answer it replaces stays as a branch. */
  regenerate(): Promise<void>
  /**
   * Sends a new version of an earlier user message and streams its answer; the earlier version
   * and everything after it stay as a branch (`selectBranch` shows it again).
   *
   * @example
   * await chat.editMessage(question.id, 'What about tomorrow?')
   */
  editMessage(messageId: string, input: string | ChatMessageInput): Promise<void>
  /**
   * Shows another version of a message (0-based; `message.branch` says which and how many),
   * with the conversation that followed it. Stops a live answer first.
   *
   * @example
   * const { index, count } = message.branch ?? { index: 0, count: 1 }
   * chat.selectBranch(message.id, (index + 1) % count)
   */
  selectBranch(messageId: string, index: number): void
  /** Replaces the conversation (its branches too); a live answer is stopped. */
  setMessages(messages: readonly ChatMessage[] | ((messages: readonly ChatMessage[]) => readonly ChatMessage[])): void
  /** The result of a tool call the app ran (a tool without `execute`); the loop goes on once a step has all of them. */
  addToolResult(result: ToolResult): void
  /** Approves (then `execute` runs) or denies (the model is told) a call in `approval-requested`. */
  respondToApproval(approval: ToolApproval): void
  /** Changes options from now on (the next request, the next tool call); `initialMessages` excepted. */
  setOptions(options: Partial<ChatSessionOptions>): void
  subscribe(listener: () => void): () => void
  getSnapshot(): ChatSnapshot
}

export function createChatSession(options: ChatSessionOptions): ChatSession {
  return new Session(options)
}

/** One version of a message, with the versions of what followed it. */
interface Node {
  message: ChatMessage
  children: Node[]
  /** Which child is on the selected branch. */
  selected: number
  /** The message as the path shows it (with `branch` when it has siblings). */
  view?: ChatMessage
}

/** The answer being worked on: streaming, waiting for a retry, or running tools. */
interface Answer {
  id: string
  /** Its position in the path. */
  index: number
  builder: MessageBuilder
  status: 'submitted' | 'streaming'
  controller: AbortController
  /** Progress from the moment of sending, until the stream reports its own. */
  progress: StreamProgress
  running: Set<Promise<void>>
  view?: { content: MessageContent; status: MessageStatus; message: ChatMessage }
}

/** How the last answer ended: the status it leaves while it is the last message. */
interface Ended {
  messageId: string
  status: 'done' | 'error' | 'aborted'
  error?: StreamError
  progress?: StreamProgress
}

interface Queued {
  run(): void
  drop(): void
}

const DEFAULT_MAX_STEPS = 5

class Session implements ChatSession {
  private readonly listeners = new Set<() => void>()
  private options: ChatSessionOptions
  private root: Node
  private path: Node[] = []
  /** The path's messages, as the snapshot shows them. */
  private messages: readonly ChatMessage[] = []
  private answer: Answer | undefined
  private ended: Ended | undefined
  private readonly queue: Queued[] = []
  private snapshot: ChatSnapshot
  private cancelScheduled: (() => void) | undefined

  constructor(options: ChatSessionOptions) {
    this.options = options
    this.root = rootNode()
    for (const message of options.initialMessages ?? []) this.append(message)
    this.snapshot = { messages: this.messages, status: 'idle' }
  }

  private get now(): () => number {
    return this.options.now ?? defaultNow
  }

  private generateId(): string {
    return (this.options.generateId ?? randomId)()
  }

  getSnapshot = (): ChatSnapshot => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  setOptions = (options: Partial<ChatSessionOptions>): void => {
    this.options = { ...this.options, ...options }
  }

  send = (input: string | ChatMessageInput, sendOptions: SendOptions = {}): Promise<void> =>
    this.withMessage(input, undefined, (user) => {
      const whenBusy = sendOptions.whenBusy ?? this.options.whenBusy ?? 'queue'
      if (this.answer) {
        if (whenBusy === 'reject') {
          return Promise.reject(
            new Error(
              'A response is still streaming: call abort() first, or send with whenBusy "queue" or "interrupt"',
            ),
          )
        }
        if (whenBusy === 'queue') {
          return new Promise<void>((resolve, reject) => {
            this.queue.push({ run: () => this.sendNow(user).then(resolve, reject), drop: resolve })
          })
        }
        this.stop()
      }
      return this.sendNow(user)
    })

  regenerate = (): Promise<void> => {
    this.stop()
    let last = this.path.length - 1
    while (last >= 0 && this.messageAt(last).role === 'assistant') last--
    if (last < 0) return Promise.resolve()
    return this.newAnswer(last + 1 < this.path.length ? last + 1 : 'append')
  }

  editMessage = (messageId: string, input: string | ChatMessageInput): Promise<void> => {
    const at = this.indexOf(messageId)
    const old = at < 0 ? undefined : this.messageAt(at)
    if (old === undefined || old.role === 'assistant') {
      return Promise.reject(
        new Error(`editMessage: no user or system message ${JSON.stringify(messageId)} in the conversation`),
      )
    }
    return this.withMessage(input, old.role, (message) => {
      this.stop()
      const index = this.indexOf(messageId)
      if (index < 0) return Promise.resolve()
      this.branchAt(index, message)
      return this.newAnswer('append')
    })
  }

  selectBranch = (messageId: string, index: number): void => {
    const at = this.indexOf(messageId)
    if (at < 0) return
    const parent = at === 0 ? this.root : (this.path[at - 1] as Node)
    if (!Number.isInteger(index) || index < 0 || index >= parent.children.length || index === parent.selected) return
    this.stop()
    parent.selected = index
    const path = this.path.slice(0, at)
    for (let node: Node | undefined = parent.children[index]; node; node = node.children[node.selected]) path.push(node)
    this.setPath(path)
    this.commit()
  }

  abort = (): void => {
    const { answer } = this
    if (!answer) return
    answer.controller.abort(new StreamError('aborted', 'Stopped by the user'))
    this.end(answer, 'aborted')
  }

  reset = (): void => {
    this.replaceAll([])
  }

  setMessages: ChatSession['setMessages'] = (next) => {
    this.replaceAll(typeof next === 'function' ? next(this.snapshot.messages) : next)
  }

  addToolResult = (result: ToolResult): void => {
    const patch: Partial<ToolPart> =
      'errorText' in result
        ? { state: 'output-error', errorText: result.errorText }
        : { state: 'output-available', output: result.output }
    if (this.updateTool(result.toolCallId, patch)) this.goOn()
  }

  respondToApproval = ({ toolCallId, approved, reason }: ToolApproval): void => {
    const part = this.findTool(toolCallId)
    if (part?.state !== 'approval-requested') return
    const approval = reason === undefined ? { approved } : { approved, reason }
    if (!approved) {
      const errorText = `The user denied this call${reason ? `: ${reason}` : '.'}`
      this.updateTool(toolCallId, { state: 'output-denied', approval, errorText })
      this.goOn()
      return
    }
    this.updateTool(toolCallId, { state: 'input-available', approval })
    const tool = this.toolNamed(part.name)
    if (!tool?.execute) return // the app runs it and calls addToolResult
    let answer = this.answer
    if (!answer?.builder.tool(toolCallId)) {
      // The answer rested waiting for this approval: it goes on, running the tool first.
      if (this.answer || this.messageAt(this.path.length - 1)?.role !== 'assistant') return
      answer = this.reopen('streaming')
      this.execute(answer, toolCallId, tool, part.input)
      void this.run(answer, 'tools')
      return
    }
    this.execute(answer, toolCallId, tool, part.input)
  }

  // ── Answers ───────────────────────────────────────────────────────────────

  private sendNow(user: ChatMessage): Promise<void> {
    this.closeUnanswered()
    this.append(user)
    return this.newAnswer('append')
  }

  /** A new answer, appended or as a new version of the message at `at`. */
  private newAnswer(at: 'append' | number): Promise<void> {
    const id = this.generateId()
    const message: ChatMessage = { id, role: 'assistant', parts: [], content: '', status: 'submitted' }
    if (at === 'append') this.append(message)
    else this.branchAt(at, message)
    const answer = this.open(new MessageBuilder({ takenIds: this.toolCallIds() }), 'submitted')
    return this.run(answer, 'request')
  }

  /** The last message, an answer that rested, goes on. */
  private reopen(status: Answer['status'], builder?: MessageBuilder): Answer {
    const from = this.messageAt(this.path.length - 1) as ChatMessage
    return this.open(builder ?? new MessageBuilder({ from, takenIds: this.toolCallIds() }), status)
  }

  private open(builder: MessageBuilder, status: Answer['status']): Answer {
    const index = this.path.length - 1
    const answer: Answer = {
      id: this.messageAt(index).id,
      index,
      builder,
      status,
      controller: new AbortController(),
      progress: this.startProgress(),
      running: new Set(),
    }
    this.answer = answer
    this.ended = undefined
    this.commit()
    return answer
  }

  /** Requests and tool rounds until the answer comes to rest. */
  private async run(answer: Answer, first: 'request' | 'tools'): Promise<void> {
    for (let phase = first; ; phase = 'request') {
      if (phase === 'request') {
        const outcome = await this.request(answer)
        if (this.answer !== answer) return
        if (outcome !== undefined) {
          this.end(answer, outcome === 'aborted' ? 'aborted' : 'error', outcome === 'aborted' ? undefined : outcome)
          return
        }
      }
      await this.toolsSettled(answer)
      if (this.answer !== answer) return
      if (!this.canGoOn(answer.builder)) {
        this.end(answer, 'done')
        return
      }
      answer.builder.startStep()
      answer.builder.progress = undefined
      answer.progress = this.startProgress()
      answer.status = 'submitted'
      this.commit()
    }
  }

  /** One model request, with retries before the first output. */
  private async request(answer: Answer): Promise<StreamError | 'aborted' | undefined> {
    const { controller, builder } = answer
    const startedAt = this.now()
    const messages = this.history(answer)
    for (let attempt = 0; ; attempt++) {
      const { options } = this
      const attemptController = new AbortController()
      const stopAttempt = () => attemptController.abort(controller.signal.reason)
      controller.signal.addEventListener('abort', stopAttempt, { once: true })
      const timers = new Timers(attemptController, options, this.now)
      let output = false
      try {
        const request: TransportRequest = { messages, signal: attemptController.signal, onActivity: timers.activity }
        if (options.tools) request.tools = options.tools
        const items = streamTokens(options.transport(request), {
          buffer: options.buffer,
          rateLimit: options.rateLimit,
          estimatedTokens: this.estimatedTokens(),
          now: this.now,
          startedAt,
          signal: attemptController.signal,
        })
        for await (const item of items) {
          if (this.answer !== answer) return 'aborted' // stopped, reset or replaced: this answer is gone
          const part = builder.add(item)
          if (part === undefined) {
            // Finish is the last part: the answer's end shows it (percent reaches 100 with done).
            if (item.type !== 'finish') this.schedule()
            continue
          }
          if (item.type === 'tool-call' && part.type === 'tool' && !part.providerExecuted) {
            this.onCall(answer, part.toolCallId)
          }
          timers.activity()
          if (!output) {
            output = true
            timers.firstOutput()
            if (answer.status === 'submitted') {
              answer.status = 'streaming'
              this.commit()
              continue
            }
          }
          this.schedule()
        }
        if (this.answer !== answer || controller.signal.aborted) return 'aborted'
        return undefined
      } catch (caught) {
        if (this.answer !== answer || controller.signal.aborted) return 'aborted'
        const error = toStreamError(caught, attemptController.signal)
        const delay =
          output || options.retry === false
            ? undefined
            : retryDelayMs(error, attempt, options.retry || {}, options.random ?? Math.random)
        if (delay === undefined) return error
        try {
          await sleep(delay, controller.signal)
        } catch {
          return 'aborted'
        }
      } finally {
        timers.clear()
        controller.signal.removeEventListener('abort', stopAttempt)
      }
    }
  }

  /** The conversation a request sends: the path before the answer, then the answer so far. */
  private history(answer: Answer): ChatMessage[] {
    const messages = this.messages.slice(0, answer.index).filter(isSendable)
    const current = this.toMessage(answer)
    if (isSendable(current)) messages.push(current)
    return messages
  }

  /** The answer comes to rest. */
  private end(answer: Answer, status: Ended['status'], error?: StreamError, drain = true): void {
    if (this.answer !== answer) return
    const message = this.finalMessage(answer, status, error)
    this.replaceAt(answer.index, message)
    this.answer = undefined
    const progress = answer.builder.progress ?? answer.progress
    this.ended = { messageId: answer.id, status, ...(error && { error }), progress }
    this.commit()
    this.finished(message, status, error)
    if (drain) this.queue.shift()?.run()
  }

  /** The answer's last message: tool calls without an outcome get one if it will never come. */
  private finalMessage(answer: Answer, status: Ended['status'], error?: StreamError): ChatMessage {
    const { builder } = answer
    if (status !== 'done') {
      const why =
        status === 'aborted'
          ? 'The answer was stopped before this call had a result.'
          : 'The answer failed before this call had a result.'
      for (const part of builder.tools()) {
        if (!hasToolOutput(part)) builder.updateTool(part.toolCallId, { state: 'output-error', errorText: why })
      }
    }
    builder.end()
    return this.toMessage(answer, status, error)
  }

  private finished(message: ChatMessage, status: Ended['status'], error?: StreamError): void {
    if (error) this.options.onError?.(error, message)
    this.options.onFinish?.(message, { status })
  }

  /** Stops a live answer without starting a queued send (the caller starts what comes next). */
  private stop(): void {
    const { answer } = this
    if (!answer) return
    answer.controller.abort(new StreamError('aborted', 'Stopped by the user'))
    this.end(answer, 'aborted', undefined, false)
  }

  /** Replaces the whole conversation with one notification: stops the answer, drops the queue. */
  private replaceAll(messages: readonly ChatMessage[]): void {
    const { answer } = this
    let stopped: ChatMessage | undefined
    if (answer) {
      answer.controller.abort(new StreamError('aborted', 'Stopped by the user'))
      stopped = this.finalMessage(answer, 'aborted')
      this.answer = undefined
    }
    const dropped = this.queue.splice(0)
    this.root = rootNode()
    this.path = []
    this.messages = []
    for (const message of messages) this.append(message)
    this.ended = undefined
    this.commit()
    if (stopped) this.finished(stopped, 'aborted')
    for (const queued of dropped) queued.drop()
  }

  private estimatedTokens(): number | undefined {
    return this.options.estimatedTokens ?? this.options.transport.maxTokens
  }

  /** Progress exists from the moment of sending, so a UI can show time passing before the first token. */
  private startProgress(): StreamProgress {
    const progress: StreamProgress = { tokens: 0, elapsedMs: 0, tokensPerSecond: 0 }
    const estimatedTokens = this.estimatedTokens()
    if (estimatedTokens) Object.assign(progress, { estimatedTokens, percent: 0 })
    return progress
  }

  private toMessage(answer: Answer, status: MessageStatus = answer.status, error?: StreamError): ChatMessage {
    const content = answer.builder.snapshot()
    const cached = answer.view
    if (cached && cached.content === content && cached.status === status && !error) return cached.message
    const message: ChatMessage = { id: answer.id, role: 'assistant', ...content, status }
    if (error) message.error = error
    answer.view = { content, status, message }
    return message
  }

  // ── Tools ────────────────────────────────────────────────────────────────

  /** A call's input is complete: tell the app, check it, ask for approval or run it. */
  private onCall(answer: Answer, toolCallId: string): void {
    const part = answer.builder.tool(toolCallId) as ToolPart
    const { name, input } = part
    this.options.onToolCall?.({ toolCallId, name, input })
    const { tools } = this.options
    if (tools === undefined) return // every call is the app's
    const tool = this.toolNamed(name)
    const fail = (errorText: string) => this.updateTool(toolCallId, { state: 'output-error', errorText })
    if (tool === undefined) {
      const names = Object.keys(tools)
      fail(
        `There is no tool named ${JSON.stringify(name)}. The tools are: ${names.length ? names.join(', ') : 'none'}.`,
      )
      return
    }
    const problem = validateInput(tool.inputSchema, input)
    if (problem !== undefined) {
      fail(`Invalid arguments for ${name}: ${problem}.`)
      return
    }
    let needsApproval: boolean
    try {
      needsApproval = typeof tool.needsApproval === 'function' ? tool.needsApproval(input) : tool.needsApproval === true
    } catch (error) {
      fail(`Could not check whether ${name} needs approval: ${messageOf(error)}`)
      return
    }
    if (needsApproval) this.updateTool(toolCallId, { state: 'approval-requested' })
    else if (tool.execute) this.execute(answer, toolCallId, tool, input)
  }

  private execute(answer: Answer, toolCallId: string, tool: ToolDefinition, input: unknown): void {
    const { signal } = answer.controller
    const running = (async () => {
      let patch: Partial<ToolPart>
      try {
        const output = await (tool.execute as NonNullable<ToolDefinition['execute']>)(input, { toolCallId, signal })
        patch = { state: 'output-available', output }
      } catch (error) {
        patch = { state: 'output-error', errorText: messageOf(error) }
      }
      // A stopped answer has already given its unfinished calls their outcome.
      if (!signal.aborted) this.updateTool(toolCallId, patch)
    })()
    answer.running.add(running)
    void running.finally(() => answer.running.delete(running))
  }

  /** Until every running `execute` of the answer has finished, or the answer is stopped. */
  private async toolsSettled(answer: Answer): Promise<void> {
    const { signal } = answer.controller
    if (answer.running.size === 0 || signal.aborted) return
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    while (answer.running.size > 0 && !signal.aborted) await Promise.race([Promise.all(answer.running), stopped])
  }

  /** The step ended with tool calls that all have an outcome, and the answer may take another step. */
  private canGoOn(builder: MessageBuilder): boolean {
    if (builder.finishReason !== 'tool-calls') return false
    if (builder.stepCount >= (this.options.maxSteps ?? DEFAULT_MAX_STEPS)) return false
    const calls = builder.stepTools().filter((part) => !part.providerExecuted)
    return calls.length > 0 && calls.every(hasToolOutput)
  }

  /** After an outcome came from the app: the rested answer goes on if its step is complete. */
  private goOn(): void {
    if (this.answer) return // a live answer checks when its step ends
    const last = this.messageAt(this.path.length - 1)
    if (last?.role !== 'assistant') return
    const builder = new MessageBuilder({ from: last, takenIds: this.toolCallIds() })
    if (!this.canGoOn(builder)) return
    const answer = this.reopen('submitted', builder)
    answer.builder.startStep()
    void this.run(answer, 'request')
  }

  private toolNamed(name: string): ToolDefinition | undefined {
    const { tools } = this.options
    return tools && Object.hasOwn(tools, name) ? tools[name] : undefined
  }

  /** A tool part, live or in the conversation. */
  private findTool(toolCallId: string): Readonly<ToolPart> | undefined {
    const live = this.answer?.builder.tool(toolCallId)
    if (live) return live
    for (let i = this.path.length - 1; i >= 0; i--) {
      const part = findToolPart(this.messageAt(i), toolCallId)
      if (part) return part.part
    }
    return undefined
  }

  /** Gives a call without an outcome its outcome (or approval state); false if it has one already. */
  private updateTool(toolCallId: string, patch: Partial<ToolPart>): boolean {
    const answer = this.answer
    const live = answer?.builder.tool(toolCallId)
    if (answer && live) {
      if (hasToolOutput(live) || live.state === 'input-streaming') return false
      answer.builder.updateTool(toolCallId, patch)
      this.commit()
      return true
    }
    for (let i = this.path.length - 1; i >= 0; i--) {
      const message = this.messageAt(i)
      const found = findToolPart(message, toolCallId)
      if (!found) continue
      if (hasToolOutput(found.part) || found.part.state === 'input-streaming') return false
      const parts = message.parts.slice()
      parts[found.index] = { ...found.part, ...patch }
      this.replaceAt(i, { ...withoutBranch(message), parts })
      this.commit()
      return true
    }
    return false
  }

  /**
   * The conversation goes on past calls still waiting for the app: they get an error outcome,
   * so every tool call sent to a provider has its result.
   */
  private closeUnanswered(): void {
    const at = this.path.length - 1
    const last = this.messageAt(at)
    if (last?.role !== 'assistant') return
    let parts: MessagePart[] | undefined
    last.parts.forEach((part, index) => {
      if (part.type !== 'tool' || hasToolOutput(part)) return
      parts ??= last.parts.slice()
      parts[index] = {
        ...part,
        state: 'output-error',
        errorText: 'The conversation went on without a result for this call.',
      }
    })
    if (parts) this.replaceAt(at, { ...withoutBranch(last), parts })
  }

  /** Every tool call id in the conversation, so new ones stay unique. */
  private toolCallIds(): Set<string> {
    const ids = new Set<string>()
    for (const message of this.messages)
      for (const part of message.parts) if (part.type === 'tool') ids.add(part.toolCallId)
    return ids
  }

  // ── Messages and branches ────────────────────────────────────────────────

  /** Builds the message for `input` (reading files first when there are any) and hands it on. */
  private withMessage(
    input: string | ChatMessageInput,
    role: ChatMessage['role'] | undefined,
    then: (message: ChatMessage) => Promise<void>,
  ): Promise<void> {
    const { text, files = [], id, role: inputRole } = typeof input === 'string' ? { text: input } : input
    const make = (fileParts: FilePart[]): ChatMessage => {
      const parts: MessagePart[] = [...fileParts]
      if (text !== '' || fileParts.length === 0) parts.push({ type: 'text', text })
      return { id: id ?? this.generateId(), role: inputRole ?? role ?? 'user', parts, content: text }
    }
    // Files that are bytes are read first; a message without them starts at once.
    if (!files.some(isBlob)) return then(make(files.map((file) => urlFilePart(file as Exclude<ChatFileInput, Blob>))))
    return Promise.all(files.map(toFilePart)).then((parts) => then(make(parts)))
  }

  private messageAt(index: number): ChatMessage {
    return this.messages[index] as ChatMessage
  }

  private indexOf(messageId: string): number {
    return this.messages.findIndex((message) => message.id === messageId)
  }

  private parentOf(index: number): Node {
    return index === 0 ? this.root : (this.path[index - 1] as Node)
  }

  private append(message: ChatMessage): void {
    const parent = this.parentOf(this.path.length)
    const node: Node = { message, children: [], selected: 0 }
    parent.selected = parent.children.push(node) - 1
    this.path.push(node)
    this.messages = [...this.messages, this.viewOf(this.path.length - 1)]
  }

  /** A new version of the message at `index`; the old one and what followed it stay a branch. */
  private branchAt(index: number, message: ChatMessage): void {
    const parent = this.parentOf(index)
    const node: Node = { message, children: [], selected: 0 }
    parent.selected = parent.children.push(node) - 1
    this.setPath([...this.path.slice(0, index), node])
  }

  private replaceAt(index: number, message: ChatMessage): void {
    const node = this.path[index] as Node
    if (node.message === message) return
    node.message = message
    node.view = undefined
    const messages = this.messages.slice()
    messages[index] = this.viewOf(index)
    this.messages = messages
  }

  private setPath(path: Node[]): void {
    this.path = path
    this.messages = path.map((_, index) => this.viewOf(index))
  }

  /** The message at `index` as shown: with `branch` when there are other versions of it. */
  private viewOf(index: number): ChatMessage {
    const node = this.path[index] as Node
    const siblings = this.parentOf(index).children
    if (siblings.length < 2) return node.message
    const branch = { index: siblings.indexOf(node), count: siblings.length }
    const view = node.view
    if (view?.branch?.index === branch.index && view.branch.count === branch.count) return view
    node.view = { ...node.message, branch }
    return node.view
  }

  // ── Snapshot and notifications ───────────────────────────────────────────

  /** Notifies once per frame, whatever the number of changes before it. */
  private schedule(): void {
    if (this.cancelScheduled) return
    let ran = false
    const cancel = (this.options.scheduler ?? frameScheduler)(() => {
      ran = true
      this.cancelScheduled = undefined
      this.commit()
    })
    // A synchronous scheduler has already flushed: there is nothing pending to cancel.
    if (!ran) this.cancelScheduled = cancel
  }

  /** Builds the snapshot from the state and notifies now, if it changed. */
  private commit(): void {
    if (this.cancelScheduled) {
      const cancel = this.cancelScheduled
      this.cancelScheduled = undefined
      cancel()
    }
    const { answer, ended } = this
    if (answer) this.replaceAt(answer.index, this.toMessage(answer))
    // An ended answer's status, error and progress stay while it is the last message shown.
    const settled = !answer && ended !== undefined && this.messages.at(-1)?.id === ended.messageId ? ended : undefined
    const status: ChatStatus = answer ? answer.status : (settled?.status ?? 'idle')
    const error = settled?.error
    const progress = answer ? (answer.builder.progress ?? answer.progress) : settled?.progress
    const previous = this.snapshot
    if (
      previous.messages === this.messages &&
      previous.status === status &&
      previous.error === error &&
      previous.progress === progress
    ) {
      return
    }
    const snapshot: ChatSnapshot = { messages: this.messages, status }
    if (error) snapshot.error = error
    if (progress) snapshot.progress = progress
    this.snapshot = snapshot
    for (const listener of this.listeners) listener()
  }
}

function rootNode(): Node {
  return { message: undefined as unknown as ChatMessage, children: [], selected: 0 }
}

function withoutBranch(message: ChatMessage): ChatMessage {
  if (message.branch === undefined) return message
  const { branch: _, ...rest } = message
  return rest
}

/**
 * What a provider may be sent: an assistant message from a failed or stopped turn that holds
 * nothing (no text, no reasoning, no tool call) is left out.
 */
function isSendable(message: ChatMessage): boolean {
  return message.role !== 'assistant' || message.parts.some((part) => part.type !== 'step-start')
}

function findToolPart(message: ChatMessage, toolCallId: string): { part: ToolPart; index: number } | undefined {
  if (message.role !== 'assistant') return undefined
  const index = message.parts.findIndex((part) => part.type === 'tool' && part.toolCallId === toolCallId)
  return index < 0 ? undefined : { part: message.parts[index] as ToolPart, index }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isBlob(file: ChatFileInput): file is Blob {
  return typeof Blob !== 'undefined' && file instanceof Blob
}

function urlFilePart(file: { url: string; mediaType: string; filename?: string }): FilePart {
  const part: FilePart = { type: 'file', mediaType: file.mediaType, url: file.url }
  if (file.filename !== undefined) part.filename = file.filename
  return part
}

/** A `File` or `Blob` as a `data:` URL file part (base64, read once, when sent). */
async function toFilePart(file: ChatFileInput): Promise<FilePart> {
  if (!isBlob(file)) return urlFilePart(file)
  const mediaType = file.type || 'application/octet-stream'
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  // In slices: String.fromCharCode takes its bytes as arguments, and arguments are limited.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  const part: FilePart = { type: 'file', mediaType, url: `data:${mediaType};base64,${btoa(binary)}` }
  const name = (file as Partial<File>).name
  if (typeof name === 'string' && name !== '') part.filename = name
  return part
}

function toStreamError(error: unknown, signal: AbortSignal): StreamError {
  // A timeout aborts the attempt with its own error as the reason.
  if (signal.aborted && isStreamError(signal.reason)) return signal.reason
  if (isStreamError(error)) return error
  return new StreamError('network', error instanceof Error ? error.message : String(error), { cause: error })
}

/**
 * First-token and stall timeouts for one attempt; each aborts it with kind `timeout`.
 * Activity only records a time on the session's clock (it runs per chunk); the stall timer
 * re-arms itself for the rest.
 */
class Timers {
  private first: ReturnType<typeof setTimeout> | undefined
  private stall: ReturnType<typeof setTimeout> | undefined
  private lastActivity: number

  constructor(
    private readonly controller: AbortController,
    options: Pick<ChatSessionOptions, 'firstTokenTimeoutMs' | 'stallTimeoutMs'>,
    private readonly now: () => number,
  ) {
    this.lastActivity = now()
    const { firstTokenTimeoutMs, stallTimeoutMs } = options
    if (firstTokenTimeoutMs) {
      this.first = setTimeout(() => this.fire(`No first token within ${firstTokenTimeoutMs} ms`), firstTokenTimeoutMs)
    }
    if (stallTimeoutMs) this.watchStall(stallTimeoutMs, stallTimeoutMs)
  }

  activity = (): void => {
    this.lastActivity = this.now()
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
      const quietMs = this.now() - this.lastActivity
      if (quietMs >= limitMs) this.fire(`The stream stalled: nothing for ${limitMs} ms`)
      else this.watchStall(limitMs, limitMs - quietMs)
    }, waitMs)
  }

  private fire(message: string): void {
    this.clear()
    this.controller.abort(new StreamError('timeout', message))
  }
}
