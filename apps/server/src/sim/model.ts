/**
 * The simulated model, `rivulet-sim`: a deterministic answer (`planAnswer`) played out as
 * `StreamPart`s with realistic timing and injected faults (`playAnswer`). It knows nothing of
 * wire formats or HTTP; the endpoints encode what it yields.
 */
import type { FinishReason, StreamPart } from '@rivulet/core'
import { answerPieces, toolResultLead, writeAnswer, writeReasoning, writeToolPreface } from './answer.js'
import type { RequestSimulation, SimulationDefaults } from './options.js'
import { createRandom, hashSeed, type Random } from './random.js'
import { countTokens, LazyTokenList, TokenList, type Tokens, tokenize } from './tokens.js'
import { argsFromSchema, DEFAULT_ARGS_MAX_TOKENS } from './tool-args.js'

export const SIM_MODEL = 'rivulet-sim'

/** Output tokens one tool call's arguments may take, whatever the request allows. */
export const MAX_ARGS_TOKENS = DEFAULT_ARGS_MAX_TOKENS

/** A conversation as the simulated model sees it, whichever endpoint it came from. */
export interface SimRequest {
  messages: readonly { role: 'system' | 'user' | 'assistant' | 'tool'; content: string }[]
  tools: readonly { name: string; description?: string; parameters?: unknown }[]
  toolChoice: 'auto' | 'none' | 'required' | { name: string }
  parallelToolCalls: boolean
  /** Output cap: reasoning, text and tool arguments all count, as providers count them. */
  maxTokens?: number
  /** The endpoint asked for reasoning (OpenAI `reasoning_effort`, Anthropic `thinking`). */
  reasoning: boolean
  /** Anthropic `thinking.budget_tokens`. */
  reasoningBudget?: number
  /** A seed from the request itself (OpenAI `seed`); `rivulet.seed` wins over it. */
  seed?: number
  /** `call_` (OpenAI) or `toolu_` (Anthropic). */
  toolCallPrefix: string
}

export interface PlannedToolCall {
  index: number
  id: string
  name: string
  args: unknown
  /** The JSON text of `args`, in the pieces it is streamed in (one token each). */
  pieces: string[]
}

/** Everything one answer will say, decided before the first byte goes out. */
export interface AnswerPlan {
  seed: number
  inputTokens: number
  /** Reasoning tokens, in order (a compact list: see `TokenList`). */
  reasoning: TokenList
  /** Text tokens, in order: held compactly, or made as they are read for an answer of a set length. */
  text: Tokens
  toolCalls: PlannedToolCall[]
  finish: Extract<FinishReason, 'stop' | 'length' | 'tool-calls'>
  outputTokens: number
}

/** The same conversation (and options) always gives the same plan. */
export function planAnswer(request: SimRequest, simulation: RequestSimulation = {}): AnswerPlan {
  const seed = (simulation.seed ?? request.seed ?? conversationSeed(request)) >>> 0
  const random = createRandom(seed)
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user')
  const prompt = lastUser?.content ?? ''
  const last = request.messages.at(-1)
  let budget = request.maxTokens ?? Number.POSITIVE_INFINITY
  let truncated = false

  /** How many of `count` tokens fit what is left of the output cap (and takes them). */
  const takeCount = (count: number): number => {
    if (count <= budget) {
      budget -= count
      return count
    }
    truncated = true
    const kept = Math.max(0, budget)
    budget = 0
    return kept
  }
  const take = (tokens: string[]): string[] => tokens.slice(0, takeCount(tokens.length))

  const reasoningOn = simulation.reasoning ?? request.reasoning
  const reasoning = reasoningOn
    ? take(writeReasoning(prompt, random, request.reasoningBudget ?? Number.POSITIVE_INFINITY))
    : []

  const calls = last?.role === 'tool' ? [] : chooseTools(request, prompt, random)
  let text: Tokens
  if (calls.length > 0) {
    let preface = random.chance(0.5) ? tokenize(writeToolPreface(calls[0]?.name ?? '', random)) : []
    if (simulation.tokens !== undefined) preface = preface.slice(0, simulation.tokens)
    text = new TokenList(take(preface))
  } else {
    const lead = last?.role === 'tool' ? toolResultLead(last.content, random) : undefined
    const options = {
      ...(simulation.tokens !== undefined && { tokens: simulation.tokens }),
      defaultTokens: random.int(80, 320),
      ...(lead !== undefined && { lead }),
    }
    if (simulation.tokens === undefined) text = new TokenList(take(writeAnswer(prompt, random, options)))
    else {
      // An exact length is known before a word is written: the text is made as it plays, so a
      // 32,768-token answer costs neither its time up front nor its memory while it streams.
      const length = takeCount(simulation.tokens)
      const from = random.fork()
      text = new LazyTokenList(length, () => answerPieces(prompt, from.fork(), options))
    }
  }

  // A tool call goes out whole or not at all: arguments cut short are not JSON.
  const toolCalls: PlannedToolCall[] = []
  for (const tool of calls) {
    if (truncated) break
    // Arguments count against the output cap while they are built: a schema asking for more
    // than is left is not generated whole only to be thrown away.
    const args = argsFromSchema(tool.parameters, random, prompt, { maxTokens: Math.min(budget, MAX_ARGS_TOKENS) })
    const pieces = args === undefined ? undefined : tokenize(JSON.stringify(args))
    if (args === undefined || pieces === undefined || pieces.length > Math.min(budget, MAX_ARGS_TOKENS)) {
      truncated = true
      break
    }
    budget -= pieces.length
    toolCalls.push({
      index: toolCalls.length,
      id: toolCallId(request.toolCallPrefix, random),
      name: tool.name,
      args,
      pieces,
    })
  }

  const outputTokens = reasoning.length + text.length + toolCalls.reduce((sum, call) => sum + call.pieces.length, 0)
  return {
    seed,
    inputTokens: inputTokensOf(request),
    reasoning: new TokenList(reasoning),
    text,
    toolCalls,
    finish: truncated ? 'length' : toolCalls.length > 0 ? 'tool-calls' : 'stop',
    outputTokens,
  }
}

/** The default seed: the conversation itself, so the same prompt gives the same answer. */
function conversationSeed(request: SimRequest): number {
  return hashSeed(
    JSON.stringify([
      request.messages.map((message) => [message.role, message.content]),
      request.tools.map((t) => t.name),
    ]),
  )
}

/** Prompt tokens: the messages' text plus a few tokens of framing per message, like chat templates add. */
function inputTokensOf(request: SimRequest): number {
  let total = 3
  for (const message of request.messages) total += 4 + countTokens(message.content)
  for (const tool of request.tools)
    total += 8 + countTokens(`${tool.name} ${tool.description ?? ''} ${JSON.stringify(tool.parameters ?? {})}`)
  return total
}

/** Which tools to call: the one asked for, else the best match for the prompt (two at times, when parallel calls are allowed). */
function chooseTools(request: SimRequest, prompt: string, random: Random): SimRequest['tools'] {
  const { tools, toolChoice } = request
  if (tools.length === 0 || toolChoice === 'none') return []
  if (typeof toolChoice === 'object') {
    const named = tools.find((tool) => tool.name === toolChoice.name)
    return named ? [named] : []
  }
  const words = new Set(prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
  const scored = tools.map((tool) => {
    const own =
      `${tool.name.replace(/[_-]/g, ' ')} ${tool.description ?? ''}`.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
    const score = own.filter((word) => word.length > 2 && words.has(word)).length
    return { tool, score, tiebreak: random.next() }
  })
  scored.sort((a, b) => b.score - a.score || a.tiebreak - b.tiebreak)
  const picked = [scored[0]?.tool].filter((tool) => tool !== undefined)
  const second = scored[1]?.tool
  if (second && request.parallelToolCalls && random.chance(0.3)) picked.push(second)
  return picked
}

function toolCallId(prefix: string, random: Random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let id = prefix
  for (let i = 0; i < 24; i++) id += alphabet[random.int(0, alphabet.length - 1)]
  return id
}

/** What playing an answer emits: parts, and the faults the endpoint must act out. */
export type SimEvent =
  | { type: 'part'; part: StreamPart }
  | { type: 'fault'; fault: 'drop' | 'malformed' | 'provider-error' }

export interface PlayOptions {
  simulation: RequestSimulation
  defaults: SimulationDefaults
  messageId: string
  model: string
  signal: AbortSignal
  /** Receives each event as it is due, synchronously. */
  emit(event: SimEvent): void
  /** Called for every output token generated (stats, load measurements, tests). */
  onToken?(): void
  /** Before each token: a promise to wait on when the reader is behind (see `RunSink.waitForReader`). */
  waitForReader?(): Promise<void> | undefined
  now?(): number
}

/** Tokens in a row with nothing to wait for before the event loop gets a turn (aborts, other streams). */
const YIELD_EVERY = 32

/**
 * Milliseconds of generation one turn of the event loop may take, shared by every stream: past
 * it, streams go on in the next turn, after the I/O waiting meanwhile (other requests, /health)
 * has been served. Without it, a thousand streams at full speed make each turn a thousand slices
 * long, and a request waits seconds for its turn. Real time, whatever clock a stream paces by.
 */
const TURN_BUDGET_MS = 8
const wallClock = performance
let turnStartedAt: number | undefined

function turnSpent(): boolean {
  const at = wallClock.now()
  if (turnStartedAt === undefined) {
    turnStartedAt = at
    // Runs in the next turn's check phase, before the streams that yielded in this one.
    setImmediate(() => {
      turnStartedAt = undefined
    }).unref()
  }
  return at - turnStartedAt > TURN_BUDGET_MS
}

/**
 * Plays a plan out with the requested timing: TTFT, tokens per second with jitter and bursts,
 * and the requested fault after its token count. Resolves after the last event (the finish,
 * or a provider error); rejects with the abort reason as soon as `signal` aborts, even inside
 * a wait. A fault set past the end of the answer happens just before the finish, so it
 * always happens.
 *
 * Events are pushed from timers, not pulled through promises: thousands of concurrent streams
 * each pay one timer per token and nothing else.
 */
export function playAnswer(plan: AnswerPlan, options: PlayOptions): Promise<void> {
  const { simulation, defaults, signal, emit, onToken } = options
  const now = options.now ?? (() => performance.now())
  const fault = simulation.fault?.type === 'http' ? undefined : simulation.fault
  const ttftMs = simulation.ttftMs ?? defaults.ttftMs
  const tokensPerSecond = simulation.tokensPerSecond ?? defaults.tokensPerSecond
  const jitter = simulation.jitter ?? defaults.jitter
  const burstiness = simulation.burstiness ?? defaults.burstiness
  // Timing draws from its own sequence, so changing the pace never changes the words.
  const random = createRandom(plan.seed ^ 0x9e3779b9)
  const baseDelayMs = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0
  const delay = () => baseDelayMs * (1 + jitter * (random.next() * 2 - 1))
  const parts = contentParts(plan)
  const { waitForReader } = options

  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined
    let index = 0
    let tokens = 0
    let due = now() + ttftMs
    let first = true
    let burstLeft = 0
    let unbroken = 0
    /** The index of the token whose due time is already set (waiting for it). */
    let scheduled = -1
    let faultDone = fault === undefined
    // A flag, not `signal.aborted` per token: reading a signal's state is a checked native call.
    let stopped = false

    const onAbort = () => {
      stopped = true
      clearTimeout(timer as ReturnType<typeof setTimeout>)
      clearImmediate(timer as ReturnType<typeof setImmediate>)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    const finish = () => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }

    /** The fault due at this token count: true when the answer ends here (a provider error). */
    const faultNow = (force: boolean): boolean => {
      if (faultDone || fault === undefined || (!force && tokens < fault.afterTokens)) return false
      faultDone = true
      if (fault.type === 'stall') {
        due = Math.max(due, now()) + fault.ms
        return false
      }
      emit({ type: 'fault', fault: fault.type })
      return fault.type === 'provider-error'
    }

    /** Sets the next token's due time: the first after the TTFT, bursts held back and let go together. */
    const schedule = () => {
      if (first) first = false
      else if (burstLeft > 0) burstLeft--
      else if (random.chance(burstiness)) {
        // A burst holds a few tokens back and lets them go together: the average pace is kept.
        const size = random.int(2, 6)
        for (let i = 0; i < size; i++) due += delay()
        burstLeft = size - 1
      } else due += delay()
    }

    const step = () => {
      timer = undefined
      try {
        while (index < parts.length) {
          if (stopped) return
          const part = parts.at(index)
          const isToken = part.type !== 'tool-call' && !(part.type === 'tool-call-delta' && part.argsDelta === '')
          if (isToken && scheduled !== index) {
            if (faultNow(false)) return finish()
            schedule()
            scheduled = index
          }
          if (isToken && waitForReader !== undefined) {
            const reader = waitForReader()
            if (reader !== undefined) {
              // The pace goes on from when the reader caught up, not from a due time long past.
              unbroken = 0
              void reader.then(() => {
                due = Math.max(due, now())
                step()
              })
              return
            }
          }
          if (isToken) {
            const wait = due - now()
            if (wait >= 1) {
              unbroken = 0
              timer = setTimeout(step, wait)
              return
            }
            // The budget binds streams running ahead (a second token in a row, with no wait between):
            // a paced stream's one token per timer always goes out on time.
            if (++unbroken >= YIELD_EVERY || (unbroken > 1 && turnSpent())) {
              unbroken = 0
              timer = setImmediate(step)
              return
            }
          }
          index++
          emit({ type: 'part', part })
          if (isToken) {
            tokens++
            onToken?.()
          }
        }
        if (faultNow(true)) return finish()
        const usage: StreamPart = { type: 'usage', inputTokens: plan.inputTokens, outputTokens: plan.outputTokens }
        if (plan.reasoning.length > 0) usage.reasoningTokens = plan.reasoning.length
        emit({ type: 'part', part: usage })
        emit({ type: 'part', part: { type: 'finish', reason: plan.finish } })
        finish()
      } catch (error) {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    }

    emit({ type: 'part', part: { type: 'start', messageId: options.messageId, model: options.model } })
    emit({ type: 'part', part: { type: 'usage', inputTokens: plan.inputTokens } })
    step()
  })
}

/**
 * The parts between the start and the closing usage, in order, each made when it is due: a
 * long answer is not held twice (as tokens and again as part objects) while it plays.
 */
function contentParts(plan: AnswerPlan): { length: number; at(index: number): StreamPart } {
  const { reasoning, text, toolCalls } = plan
  const callStarts: number[] = []
  let length = reasoning.length + text.length
  for (const call of toolCalls) {
    callStarts.push(length)
    length += call.pieces.length + 2
  }
  return {
    length,
    at(index) {
      if (index < reasoning.length) return { type: 'reasoning-delta', text: reasoning.at(index) }
      if (index < reasoning.length + text.length) return { type: 'text-delta', text: text.at(index - reasoning.length) }
      let which = callStarts.length - 1
      while (which > 0 && (callStarts[which] as number) > index) which--
      const call = toolCalls[which] as PlannedToolCall
      const offset = index - (callStarts[which] as number)
      if (offset === 0)
        return { type: 'tool-call-delta', index: call.index, id: call.id, name: call.name, argsDelta: '' }
      if (offset <= call.pieces.length)
        return { type: 'tool-call-delta', index: call.index, argsDelta: call.pieces[offset - 1] as string }
      return { type: 'tool-call', index: call.index, id: call.id, name: call.name, args: call.args }
    },
  }
}
