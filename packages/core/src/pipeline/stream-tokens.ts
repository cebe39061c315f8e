import type { StreamPart } from '../types.js'
import { type BufferStrategy, createTextBuffer, type TextBuffer } from './buffer.js'
import { adoptUsage, ProgressTracker, type StreamProgress } from './progress.js'
import { RateLimiter, sleep } from './rate-limit.js'

export interface TokenEvent {
  type: 'token'
  channel: 'text' | 'reasoning'
  /** One buffered unit (char, word, sentence, line, n tokens, or raw delta). */
  text: string
  /** Tokens in this unit: the deltas it completes, each counted as one. */
  tokens: number
  /** Progress after this unit. */
  progress: StreamProgress
}

/** A `usage` or `finish` part as `streamTokens` passes it on: with the progress at that moment. */
export type ProgressPart = Extract<StreamPart, { type: 'usage' | 'finish' }> & { progress: StreamProgress }

/**
 * What `streamTokens` yields: token events, and every other part, in order. `usage` and
 * `finish` carry the progress they make (usage wins over counted deltas; finish makes percent
 * 100), so no one re-derives it.
 */
export type TokenStreamItem =
  | TokenEvent
  | ProgressPart
  | Exclude<StreamPart, { type: 'text-delta' | 'reasoning-delta' | 'usage' | 'finish' }>

export interface StreamTokensOptions {
  buffer?: BufferStrategy
  /** Expected total output tokens, for `percent` and `etaMs` (e.g. the request's max tokens). */
  estimatedTokens?: number
  /** Max tokens per second, 0/undefined = unlimited. Delays only; never drops or merges. */
  rateLimit?: number
  /** Clock in milliseconds, for tests. Default `performance.now`. */
  now?: () => number
  /** When the request started, on the `now` clock (default: when streamTokens is called). */
  startedAt?: number
  /** Stops a rate-limit wait at once: what is buffered is delivered, then kind `aborted`. */
  signal?: AbortSignal
}

export const defaultNow: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now()

interface Unit {
  channel: 'text' | 'reasoning'
  text: string
  tokens: number
}

/** One channel's buffer, and which deltas its units complete (so units carry token counts). */
class Channel {
  private readonly buffer: TextBuffer
  // End offset of each delta not yet fully emitted; a unit completing one counts its token.
  private ends: number[] = []
  private head = 0
  private pushed = 0
  private emitted = 0
  private readonly emit: (text: string) => void

  constructor(
    readonly name: 'text' | 'reasoning',
    strategy: BufferStrategy | undefined,
    private readonly queue: Unit[],
  ) {
    this.buffer = createTextBuffer(strategy)
    this.emit = (text) => {
      this.emitted += text.length
      let tokens = 0
      while (this.head < this.ends.length && (this.ends[this.head] as number) <= this.emitted) {
        this.head++
        tokens++
      }
      if (this.head === this.ends.length) {
        this.ends.length = 0
        this.head = 0
      }
      this.queue.push({ channel: this.name, text, tokens })
    }
  }

  push(text: string): void {
    this.pushed += text.length
    this.ends.push(this.pushed)
    this.buffer.push(text, this.emit)
  }

  flush(): void {
    this.buffer.flush(this.emit)
  }
}

/**
 * The token pipeline: buffers text into display units, optionally rate-limits them, and
 * annotates each with progress. Non-token parts pass through in order, after everything
 * buffered before them. On error or abort the buffered text is delivered, then the error.
 *
 * @example
 * for await (const item of streamTokens(decode(res, { protocol: 'anthropic' }), { buffer: 'word' })) {
 *   if (item.type === 'token') show(item.text, item.progress.tokensPerSecond)
 * }
 */
export async function* streamTokens(
  parts: AsyncIterable<StreamPart>,
  options: StreamTokensOptions = {},
): AsyncGenerator<TokenStreamItem, void, undefined> {
  const now = options.now ?? defaultNow
  const { signal } = options
  const tracker = new ProgressTracker(now, options.estimatedTokens, options.startedAt)
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit, now) : undefined
  const queue: Unit[] = []
  const text = new Channel('text', options.buffer, queue)
  const reasoning = new Channel('reasoning', options.buffer, queue)
  let active: Channel | undefined
  let failure: unknown

  /** The progress of the last item that carried one. */
  let last: StreamProgress | undefined
  const event = (unit: Unit): TokenEvent => {
    tracker.add(unit.tokens)
    last = tracker.snapshot()
    return { type: 'token', channel: unit.channel, text: unit.text, tokens: unit.tokens, progress: last }
  }

  try {
    for await (const part of parts) {
      let passThrough: Exclude<StreamPart, { type: 'text-delta' | 'reasoning-delta' }> | undefined
      if (part.type === 'text-delta' || part.type === 'reasoning-delta') {
        const channel = part.type === 'text-delta' ? text : reasoning
        // Switching channel completes what the other one held, so order is kept.
        if (active !== undefined && active !== channel) active.flush()
        active = channel
        tracker.arrived()
        channel.push(part.text)
      } else {
        text.flush()
        reasoning.flush()
        passThrough = part
      }
      for (let i = 0; i < queue.length; i++) {
        const unit = queue[i] as Unit
        if (limiter !== undefined && failure === undefined) {
          const waitMs = limiter.take(unit.tokens)
          if (waitMs > 0) {
            try {
              await sleep(waitMs, signal)
            } catch (error) {
              failure = error // deliver the rest at once, then stop
            }
          }
        }
        yield event(unit)
      }
      queue.length = 0
      if (failure !== undefined) break
      if (passThrough !== undefined) {
        // Usage and finish take effect at the moment of the last token (elapsed and rate are
        // measured to it): usage wins over the counted deltas, finish makes percent 100.
        if (passThrough.type === 'usage') {
          tracker.usage(passThrough.outputTokens)
          const { outputTokens } = passThrough
          last =
            last === undefined ? tracker.snapshot() : outputTokens === undefined ? last : adoptUsage(last, outputTokens)
          yield { ...passThrough, progress: last }
        } else if (passThrough.type === 'finish') {
          tracker.finish()
          last =
            last === undefined
              ? tracker.snapshot()
              : last.estimatedTokens === undefined
                ? last
                : { ...last, percent: 100, etaMs: 0 }
          yield { ...passThrough, progress: last }
        } else yield passThrough
      }
    }
  } catch (error) {
    failure = error
  }
  if (failure !== undefined) {
    // Nothing received is lost: what the buffers hold goes out before the error.
    text.flush()
    reasoning.flush()
    for (let i = 0; i < queue.length; i++) yield event(queue[i] as Unit)
    queue.length = 0
    throw failure
  }
  text.flush()
  reasoning.flush()
  for (let i = 0; i < queue.length; i++) yield event(queue[i] as Unit)
}
