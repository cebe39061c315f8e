/**
 * The simulated model, `rivulet-sim`: a deterministic answer (`planAnswer`) played out as
 * `StreamPart`s with realistic timing and injected faults (`playAnswer`). It knows nothing of
 * wire formats or HTTP; the endpoints encode what it yields.
 */
import type { FinishReason, StreamPart } from '@rivulet/core'
import { toolResultLead, writeAnswer, writeReasoning, writeToolPreface } from './answer.js'
import type { RequestSimulation, SimulationDefaults } from './options.js'
import { createRandom, hashSeed, type Random } from './random.js'
import { countTokens, tokenize } from './tokens.js'
import { argsFromSchema } from './tool-args.js'

export const SIM_MODEL = 'rivulet-sim'

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
  reasoning: string[]
  text: string[]
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

  const take = (tokens: string[]): string[] => {
    if (tokens.length <= budget) {
      budget -= tokens.length
      return tokens
    }
    truncated = true
    const kept = tokens.slice(0, Math.max(0, budget))
    budget = 0
    return kept
  }

  const reasoningOn = simulation.reasoning ?? request.reasoning
  const reasoning = reasoningOn
    ? take(writeReasoning(prompt, random, request.reasoningBudget ?? Number.POSITIVE_INFINITY))
    : []

  const calls = last?.role === 'tool' ? [] : chooseTools(request, prompt, random)
  let text: string[]
  if (calls.length > 0) {
    text = random.chance(0.5) ? tokenize(writeToolPreface(calls[0]?.name ?? '', random)) : []
    if (simulation.tokens !== undefined) text = text.slice(0, simulation.tokens)
  } else {
    const lead = last?.role === 'tool' ? toolResultLead(last.content, random) : undefined
    text = writeAnswer(prompt, random, {
      ...(simulation.tokens !== undefined && { tokens: simulation.tokens }),
      defaultTokens: random.int(80, 320),
      ...(lead !== undefined && { lead }),
    })
  }
  text = take(text)

  // A tool call goes out whole or not at all: arguments cut short are not JSON.
  const toolCalls: PlannedToolCall[] = []
  for (const tool of calls) {
    const args = argsFromSchema(tool.parameters, random, prompt)
    const pieces = tokenize(JSON.stringify(args))
    if (truncated || pieces.length > budget) {
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
    reasoning,
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

/** What playing an answer yields: parts, and the faults the endpoint must act out. */
export type SimEvent =
  | { type: 'part'; part: StreamPart }
  | { type: 'fault'; fault: 'drop' | 'malformed' | 'provider-error' }

export interface PlayOptions {
  simulation: RequestSimulation
  defaults: SimulationDefaults
  messageId: string
  model: string
  signal: AbortSignal
  /** Called for every output token generated (stats, load measurements, tests). */
  onToken?(): void
  now?(): number
}

/** Tokens in a row with nothing to wait for before the event loop gets a turn (aborts, other streams). */
const YIELD_EVERY = 32

/**
 * Plays a plan out with the requested timing: TTFT, tokens per second with jitter and bursts,
 * and the requested fault after its token count. Rejects with the abort reason once `signal`
 * aborts (at once, even inside a wait). A fault set past the end of the answer happens just
 * before the finish, so it always happens.
 */
export async function* playAnswer(plan: AnswerPlan, options: PlayOptions): AsyncGenerator<SimEvent, void, undefined> {
  const { simulation, defaults, signal, onToken } = options
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

  let due = now() + ttftMs
  let first = true
  let burstLeft = 0
  let unbroken = 0
  let tokens = 0
  let faultDone = fault === undefined

  const wait = async () => {
    if (signal.aborted) throw signal.reason
    if (first) first = false
    else if (burstLeft > 0) burstLeft--
    else if (random.chance(burstiness)) {
      // A burst holds a few tokens back and lets them go together: the average pace is kept.
      const size = random.int(2, 6)
      for (let i = 0; i < size; i++) due += delay()
      burstLeft = size - 1
    } else due += delay()
    const ms = due - now()
    if (ms >= 1) {
      unbroken = 0
      await sleep(ms, signal)
    } else if (++unbroken >= YIELD_EVERY) {
      unbroken = 0
      await new Promise((resolve) => setImmediate(resolve))
      if (signal.aborted) throw signal.reason
    }
  }

  /** The fault due at this token count, if any; `stall` is waited out here. */
  const faultNow = async (force: boolean): Promise<SimEvent | undefined> => {
    if (faultDone || fault === undefined || (!force && tokens < fault.afterTokens)) return undefined
    faultDone = true
    if (fault.type === 'stall') {
      due += fault.ms
      await sleep(Math.max(0, due - now()), signal)
      return undefined
    }
    return { type: 'fault', fault: fault.type }
  }

  const content = function* (): Generator<StreamPart> {
    for (const text of plan.reasoning) yield { type: 'reasoning-delta', text }
    for (const text of plan.text) yield { type: 'text-delta', text }
    for (const call of plan.toolCalls) {
      yield { type: 'tool-call-delta', index: call.index, id: call.id, name: call.name, argsDelta: '' }
      for (const piece of call.pieces) yield { type: 'tool-call-delta', index: call.index, argsDelta: piece }
      yield { type: 'tool-call', index: call.index, id: call.id, name: call.name, args: call.args }
    }
  }

  yield { type: 'part', part: { type: 'start', messageId: options.messageId, model: options.model } }
  yield { type: 'part', part: { type: 'usage', inputTokens: plan.inputTokens } }
  for (const part of content()) {
    const isToken = part.type !== 'tool-call' && !(part.type === 'tool-call-delta' && part.argsDelta === '')
    if (isToken) {
      const event = await faultNow(false)
      if (event) {
        yield event
        if (event.type === 'fault' && event.fault === 'provider-error') return
      }
      await wait()
    }
    yield { type: 'part', part }
    if (isToken) {
      tokens++
      onToken?.()
    }
  }
  const event = await faultNow(true)
  if (event) {
    yield event
    if (event.type === 'fault' && event.fault === 'provider-error') return
  }
  if (signal.aborted) throw signal.reason
  const usage: StreamPart = { type: 'usage', inputTokens: plan.inputTokens, outputTokens: plan.outputTokens }
  if (plan.reasoning.length > 0) usage.reasoningTokens = plan.reasoning.length
  yield { type: 'part', part: usage }
  yield { type: 'part', part: { type: 'finish', reason: plan.finish } }
}

/** Resolves after `ms`; rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
