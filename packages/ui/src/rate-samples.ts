/** Tokens per second over time, for the sparkline: sampled from successive progress values. */
export interface RateSample {
  atMs: number
  tokens: number
  tokensPerSecond: number
}

/** A new sample at most this often. */
export const SAMPLE_EVERY_MS = 250
/** Each sample's rate is taken over about this long, so bursty delivery does not read as spikes and gaps. */
export const RATE_WINDOW_MS = 1000
/** The sparkline shows the last samples only (30 s). */
export const MAX_SAMPLES = 120

const NONE: readonly RateSample[] = []

/**
 * Adds a sample for `elapsedMs` / `tokens` when one is due; returns `samples` itself when not,
 * so the result can be kept in React state. Starts over when time or tokens go back (a new
 * stream). `averageTokensPerSecond` is the first sample's rate, before a window exists.
 */
export function addRateSample(
  samples: readonly RateSample[],
  elapsedMs: number,
  tokens: number,
  averageTokensPerSecond: number,
): readonly RateSample[] {
  const last = samples.at(-1)
  if (last && (elapsedMs < last.atMs || tokens < last.tokens)) samples = NONE
  if (tokens <= 0) return samples
  const previous = samples.at(-1)
  if (previous && elapsedMs - previous.atMs < SAMPLE_EVERY_MS) return samples
  let tokensPerSecond = averageTokensPerSecond
  if (previous) {
    // The newest sample at least a window old, else the oldest there is.
    const from = samples.findLast((sample) => sample.atMs <= elapsedMs - RATE_WINDOW_MS) ?? samples[0]!
    tokensPerSecond = ((tokens - from.tokens) * 1000) / (elapsedMs - from.atMs)
  }
  return [...samples.slice(-(MAX_SAMPLES - 1)), { atMs: elapsedMs, tokens, tokensPerSecond }]
}

/** SVG polyline points for `values`, scaled into `width` × `height` (0 at the bottom). */
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return ''
  const series = values.length === 1 ? [values[0]!, values[0]!] : values
  const max = Math.max(...series) || 1
  const round = (n: number) => Math.round(n * 10) / 10
  return series
    .map((value, index) => `${round((index * width) / (series.length - 1))},${round(height - (value / max) * height)}`)
    .join(' ')
}
