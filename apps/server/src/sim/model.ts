/**
 * The simulated model, `rivulet-sim`: a deterministic answer (`planAnswer`) played out as
 * `StreamPart`s with realistic timing and injected faults (`playAnswer`). It knows nothing of
 * wire formats or HTTP; the endpoints encode what it yields.
 */
import type { FinishReason, StreamPart } from '@rivulet/core'
import { answerPieces, STOP_WORDS, topicOf, writeAnswer, writeReasoning, writeToolPreface } from './answer.js'
import { generateImage } from './image.js'
import type { RequestSimulation, SimulationDefaults } from './options.js'
import { createRandom, hashSeed, type Random, randomId } from './random.js'
import { planSearch } from './search.js'
import { countTokens, LazyTokenList, TokenList, type Tokens, tokenize } from './tokens.js'
import { type ToolOutcome, writeToolAnswer } from './tool-answer.js'
import { argsFromSchema, DEFAULT_ARGS_MAX_TOKENS } from './tool-args.js'

export const SIM_MODEL = 'rivulet-sim'

/** Output tokens one tool call's arguments may take, whatever the request allows. */
export const MAX_ARGS_TOKENS = DEFAULT_ARGS_MAX_TOKENS

/** A tool call the assistant made earlier in the conversation. */
export interface SimToolCall {
  id: string
  name: string
  args: unknown
}

/** One turn as the simulated model reads it: its text, and what else it holds. */
export type SimMessage =
  | { role: 'system'; content: string }
  /** `files`: the media types of what the user attached (images, documents, audio). */
  | { role: 'user'; content: string; files?: readonly string[] }
  | { role: 'assistant'; content: string; toolCalls?: readonly SimToolCall[] }
  /** A tool call's result, linked by id; `isError` where the provider flags it (Anthropic). */
  | { role: 'tool'; content: string; toolCallId?: string; isError?: boolean }

/** A conversation as the simulated model sees it, whichever endpoint it came from. */
export interface SimRequest {
  messages: readonly SimMessage[]
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
  /** The request offers the provider's own web search (Anthropic's `web_search_…` server tool). */
  webSearch?: boolean
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
  /** Parts that are not tokens, played after the reasoning and before the text: a web search the provider ran. */
  prelude: StreamPart[]
  /**
   * Parts played inside the text, each just before the text token at `at` (or after the
   * last one): a source before the sentence citing it, an image after the sentence announcing it.
   */
  inserts: { at: number; part: StreamPart }[]
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

  const outcomes = toolOutcomes(request)
  const answering = outcomes.length > 0
  const calls = answering ? [] : chooseTools(request, prompt, random)
  const lead = new Lead()
  let prelude: StreamPart[] = []
  if (answering) lead.say(writeToolAnswer(outcomes, random))
  else {
    const files = last?.role === 'user' ? (last.files ?? []) : []
    if (files.length > 0) lead.say(attachmentsNote(files))
    if (simulation.webSearch ?? request.webSearch ?? false) {
      const idPrefix = request.toolCallPrefix === 'toolu_' ? 'srvtoolu_' : 'ws_'
      // The search's index follows the client calls' so the two never share one.
      const search = planSearch(prompt, random, idPrefix, calls.length)
      prelude = search.parts
      for (const { source, sentence } of search.citations) {
        lead.insert(source)
        lead.say(sentence)
      }
    }
  }
  if (simulation.image === true && calls.length === 0) {
    const image = generateImage(random)
    lead.say(`Here is a picture of ${topicOf(prompt).subject}:`)
    lead.insert({ type: 'file', mediaType: image.mediaType, url: image.url, filename: image.filename })
  }

  let text: Tokens
  if (calls.length > 0) {
    const preface = random.chance(0.5) ? writeToolPreface(calls[0]?.name ?? '', random) : ''
    let tokens = tokenize(lead.join(preface))
    if (simulation.tokens !== undefined) tokens = tokens.slice(0, simulation.tokens)
    text = new TokenList(take(tokens))
  } else {
    const options = {
      ...(simulation.tokens !== undefined && { tokens: simulation.tokens }),
      // After tool results the answer says what they hold and a little more, as models do.
      defaultTokens: answering ? random.int(30, 90) : random.int(80, 320),
      ...(lead.text !== '' && { lead: lead.text }),
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
      id: randomId(request.toolCallPrefix, random),
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
    prelude,
    inserts: lead.inserts(),
    toolCalls,
    finish: truncated ? 'length' : toolCalls.length > 0 ? 'tool-calls' : 'stop',
    outputTokens,
  }
}

/**
 * The results the model is answering: the tool turns at the end of the conversation, each with
 * the call it answers (found by id among the assistant's earlier calls).
 */
function toolOutcomes(request: SimRequest): ToolOutcome[] {
  const { messages } = request
  let start = messages.length
  while (start > 0 && messages[start - 1]?.role === 'tool') start--
  if (start === messages.length) return []
  const calls = new Map<string, SimToolCall>()
  for (const message of messages.slice(0, start))
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) calls.set(call.id, call)
  return messages.slice(start).map((message) => {
    const result = message as Extract<SimMessage, { role: 'tool' }>
    const call = result.toolCallId === undefined ? undefined : calls.get(result.toolCallId)
    return { name: call?.name, args: call?.args, content: result.content, isError: result.isError === true }
  })
}

/** The sentence that says the model saw what the user attached. */
function attachmentsNote(files: readonly string[]): string {
  const images = files.filter((type) => type.startsWith('image')).length
  const what =
    images === files.length
      ? images === 1
        ? 'the image'
        : `the ${images} images`
      : files.length === 1
        ? 'the file'
        : `the ${files.length} files`
  return `I looked at ${what} you attached (${[...new Set(files)].join(', ')}).`
}

/**
 * The answer's first sentences, with parts placed between them: `insert` puts a part where the
 * next sentence will start, and `inserts()` says before which text token each one goes.
 */
class Lead {
  text = ''
  readonly #at: { offset: number; part: StreamPart }[] = []

  say(sentence: string): void {
    if (sentence === '') return
    this.text += this.text === '' ? sentence : ` ${sentence}`
  }

  insert(part: StreamPart): void {
    this.#at.push({ offset: this.text.length, part })
  }

  /** The text with `more` after it. */
  join(more: string): string {
    return more === '' ? this.text : this.text === '' ? more : `${this.text} ${more}`
  }

  /** Offsets as token positions: the lead is the answer's first piece, tokenized as one. */
  inserts(): { at: number; part: StreamPart }[] {
    if (this.#at.length === 0) return []
    const tokens = tokenize(this.text)
    const out: { at: number; part: StreamPart }[] = []
    let token = 0
    let end = 0
    for (const { offset, part } of this.#at) {
      while (token < tokens.length && end + (tokens[token] as string).length <= offset) {
        end += (tokens[token] as string).length
        token++
      }
      out.push({ at: token, part })
    }
    return out
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
  for (const message of request.messages) {
    total += 4 + countTokens(message.content)
    if (message.role === 'assistant')
      for (const call of message.toolCalls ?? []) total += 4 + countTokens(`${call.name} ${JSON.stringify(call.args)}`)
  }
  for (const tool of request.tools)
    total += 8 + countTokens(`${tool.name} ${tool.description ?? ''} ${JSON.stringify(tool.parameters ?? {})}`)
  return total
}

/**
 * Which tools to call: the one asked for; with `required`, the best match for the prompt; with
 * `auto`, the best match only when the prompt names what it is about (a word of its name or
 * description, stop words aside), as a model leaves tools alone for a question they do not help with. Two at
 * times, when parallel calls are allowed.
 */
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
    const score = own.filter((word) => word.length > 2 && !STOP_WORDS.has(word) && words.has(word)).length
    return { tool, score, tiebreak: random.next() }
  })
  scored.sort((a, b) => b.score - a.score || a.tiebreak - b.tiebreak)
  const relevant = toolChoice === 'auto' ? scored.filter((entry) => entry.score > 0) : scored
  const picked = [relevant[0]?.tool].filter((tool) => tool !== undefined)
  const second = relevant[1]?.tool
  if (second && request.parallelToolCalls && random.chance(0.3)) picked.push(second)
  return picked
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
          // Reasoning, text and argument pieces are tokens; calls, results, sources and files are not.
          const isToken =
            part.type === 'text-delta' ||
            part.type === 'reasoning-delta' ||
            (part.type === 'tool-call-delta' && part.argsDelta !== '')
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
 * long answer is not held twice (as tokens and again as part objects) while it plays. In
 * order: reasoning, the prelude, the text with its inserts, the tool calls.
 */
function contentParts(plan: AnswerPlan): { length: number; at(index: number): StreamPart } {
  const { reasoning, text, prelude, toolCalls } = plan
  // Each insert's place among the text's parts: before its token, after earlier inserts.
  const inserts = plan.inserts.map((insert, order) => ({
    at: Math.min(insert.at, text.length) + order,
    part: insert.part,
  }))
  const textStart = reasoning.length + prelude.length
  const textEnd = textStart + text.length + inserts.length
  const callStarts: number[] = []
  let length = textEnd
  for (const call of toolCalls) {
    callStarts.push(length)
    length += call.pieces.length + 2
  }
  return {
    length,
    at(index) {
      if (index < reasoning.length) return { type: 'reasoning-delta', text: reasoning.at(index) }
      if (index < textStart) return prelude[index - reasoning.length] as StreamPart
      if (index < textEnd) {
        let offset = index - textStart
        if (inserts.length > 0) {
          let before = 0
          for (const insert of inserts) {
            if (insert.at === offset) return insert.part
            if (insert.at < offset) before++
          }
          offset -= before
        }
        return { type: 'text-delta', text: text.at(offset) }
      }
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
