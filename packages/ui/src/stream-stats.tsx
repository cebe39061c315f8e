import type { LiveProgress, ProgressSource } from '@rivulet/react'
import { useStreamProgress } from '@rivulet/react'
import { forwardRef, type HTMLAttributes, type ReactNode, useState } from 'react'
import { formatDuration } from './format.js'
import { addRateSample, type RateSample, sparklinePoints } from './rate-samples.js'

export interface StreamStatsLabels {
  ttft: ReactNode
  tokensPerSecond: ReactNode
  tokens: ReactNode
  elapsed: ReactNode
}

export const DEFAULT_STATS_LABELS: StreamStatsLabels = {
  ttft: <abbr title="Time to first token">TTFT</abbr>,
  tokensPerSecond: 'tokens/s',
  tokens: 'tokens',
  elapsed: 'elapsed',
}

export interface StreamStatsProps extends Omit<HTMLAttributes<HTMLDListElement>, 'children'> {
  /** A session, a `useStreamingChat` result, or a progress value. */
  source: ProgressSource
  labels?: Partial<StreamStatsLabels>
  /** Show the tokens/s sparkline. Default true. */
  sparkline?: boolean
}

const SPARKLINE_WIDTH = 64
const SPARKLINE_HEIGHT = 16
const NO_SAMPLES: readonly RateSample[] = []

/**
 * TTFT, tokens/s, tokens and elapsed time of a stream, as a description list (`data-stat` on
 * each item), with an inline SVG sparkline of tokens/s over time. Elapsed time ticks while the
 * stream is live.
 *
 * @example
 * <StreamStats source={chat} />
 */
export const StreamStats = forwardRef<HTMLDListElement, StreamStatsProps>(function StreamStats(
  { source, labels, sparkline = true, ...rest },
  ref,
) {
  const progress = useStreamProgress(source)
  const samples = useRateSamples(progress)
  const text = { ...DEFAULT_STATS_LABELS, ...labels }
  return (
    // Each value is isolated (<bdi>): inside right-to-left text, "12.5" and "1.2 s" keep their order.
    <dl ref={ref} data-rivulet="stream-stats" data-status={progress.status} {...rest}>
      <div data-stat="ttft">
        <dt>{text.ttft}</dt>
        <dd>
          <bdi>{progress.ttftMs === undefined ? '–' : formatDuration(progress.ttftMs)}</bdi>
        </dd>
      </div>
      <div data-stat="tokens-per-second">
        <dt>{text.tokensPerSecond}</dt>
        <dd>
          <bdi>{progress.tokensPerSecond.toFixed(1)}</bdi>
          {sparkline && <Sparkline values={samples.map((sample) => sample.tokensPerSecond)} />}
        </dd>
      </div>
      <div data-stat="tokens">
        <dt>{text.tokens}</dt>
        <dd>
          <bdi>{progress.tokens}</bdi>
        </dd>
      </div>
      <div data-stat="elapsed">
        <dt>{text.elapsed}</dt>
        <dd>
          <bdi>{formatDuration(progress.elapsedMs)}</bdi>
        </dd>
      </div>
    </dl>
  )
})

/** Samples of the current stream; a new request (submitted, no tokens yet) clears them. */
function useRateSamples(progress: LiveProgress): readonly RateSample[] {
  const [samples, setSamples] = useState(NO_SAMPLES)
  const next =
    progress.status === 'submitted' && progress.tokens === 0
      ? NO_SAMPLES
      : addRateSample(samples, progress.elapsedMs, progress.tokens, progress.tokensPerSecond)
  // Adjusting state during render: React re-renders at once, without an extra commit.
  if (next !== samples) setSamples(next)
  return next
}

function Sparkline({ values }: { values: readonly number[] }) {
  return (
    <svg
      data-rivulet="sparkline"
      viewBox={`0 0 ${SPARKLINE_WIDTH} ${SPARKLINE_HEIGHT}`}
      width={SPARKLINE_WIDTH}
      height={SPARKLINE_HEIGHT}
      preserveAspectRatio="none"
      aria-hidden="true"
      focusable="false"
      overflow="visible"
    >
      {values.length > 0 && (
        <polyline
          points={sparklinePoints(values, SPARKLINE_WIDTH, SPARKLINE_HEIGHT)}
          fill="none"
          stroke="currentColor"
          strokeWidth={1.5}
          vectorEffect="non-scaling-stroke"
        />
      )}
    </svg>
  )
}
