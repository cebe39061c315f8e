/** Progress of one stream, as every layer above the pipeline shows it. */
export interface StreamProgress {
  /** Output tokens so far (provider usage wins once reported). */
  tokens: number
  /** Expected total, when known (option or the request's max tokens). */
  estimatedTokens?: number
  /** 0..100, only with estimatedTokens; never decreases, 100 only at finish. */
  percent?: number
  /** Since the request started. */
  elapsedMs: number
  /** Request start → first text or reasoning delta. */
  ttftMs?: number
  /** Since the first token (TTFT excluded). */
  tokensPerSecond: number
  /** Only with estimatedTokens; never negative. */
  etaMs?: number
}

/** Before finish, an estimate that ran short shows at most this, so 100 means "done". */
const MAX_PERCENT_BEFORE_FINISH = 99

/** Tokens per second since the first token, which marks the start of generation and is not counted. */
function rate(tokens: number, sinceFirstMs: number): number {
  return sinceFirstMs > 0 && tokens > 1 ? ((tokens - 1) * 1000) / sinceFirstMs : 0
}

/** Percent of the estimate, capped below 100 until finish, and never below what was shown. */
function percentOf(tokens: number, estimated: number, shown: number, finished: boolean): number {
  return Math.max(shown, finished ? 100 : Math.min(MAX_PERCENT_BEFORE_FINISH, (tokens / estimated) * 100))
}

/**
 * `progress` as it reads once the provider reports `outputTokens`, at the same moment: usage
 * wins over the counted deltas, and the rate, percent and ETA follow it. For usage that arrives
 * after the last token, when no token event carries it; percent stays below 100 until finish.
 */
export function adoptUsage(progress: StreamProgress, outputTokens: number): StreamProgress {
  const tokens = outputTokens
  const sinceFirstMs = progress.ttftMs === undefined ? 0 : progress.elapsedMs - progress.ttftMs
  const { etaMs: _, ...rest } = progress
  const adopted: StreamProgress = { ...rest, tokens, tokensPerSecond: rate(tokens, sinceFirstMs) }
  const estimated = progress.estimatedTokens
  if (estimated === undefined || estimated <= 0 || progress.percent === undefined) return adopted
  adopted.percent = percentOf(tokens, estimated, progress.percent, false)
  if (adopted.tokensPerSecond > 0) adopted.etaMs = (Math.max(0, estimated - tokens) * 1000) / adopted.tokensPerSecond
  return adopted
}

/**
 * Keeps the counts behind `StreamProgress`: deltas are counted as tokens until the provider
 * reports usage; from then on usage is the base and deltas after it add to it.
 */
export class ProgressTracker {
  readonly startedAt: number
  firstTokenAt: number | undefined
  private base = 0
  private sinceBase = 0
  private percent = 0
  private finished = false

  constructor(
    private readonly now: () => number,
    readonly estimatedTokens?: number,
    startedAt?: number,
  ) {
    this.startedAt = startedAt ?? now()
  }

  get tokens(): number {
    return this.base + this.sinceBase
  }

  /** A text or reasoning delta arrived (TTFT is taken at arrival, not at display). */
  arrived(): void {
    this.firstTokenAt ??= this.now()
  }

  /** `count` tokens were delivered. */
  add(count: number): void {
    this.sinceBase += count
  }

  usage(outputTokens: number | undefined): void {
    if (outputTokens === undefined) return
    this.base = outputTokens
    this.sinceBase = 0
  }

  finish(): void {
    this.finished = true
  }

  snapshot(): StreamProgress {
    const now = this.now()
    const tokens = this.tokens
    const sinceFirstMs = this.firstTokenAt === undefined ? 0 : now - this.firstTokenAt
    const tokensPerSecond = rate(tokens, sinceFirstMs)
    const progress: StreamProgress = { tokens, elapsedMs: now - this.startedAt, tokensPerSecond }
    if (this.firstTokenAt !== undefined) progress.ttftMs = this.firstTokenAt - this.startedAt
    const estimated = this.estimatedTokens
    if (estimated !== undefined && estimated > 0) {
      progress.estimatedTokens = estimated
      this.percent = percentOf(tokens, estimated, this.percent, this.finished)
      progress.percent = this.percent
      if (this.finished) progress.etaMs = 0
      else if (tokensPerSecond > 0) progress.etaMs = (Math.max(0, estimated - tokens) * 1000) / tokensPerSecond
    }
    return progress
  }
}
