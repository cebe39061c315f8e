import type { LiveProgress, ProgressSource } from '@rivulet/react'
import { useStreamProgress } from '@rivulet/react'
import { type CSSProperties, forwardRef, type HTMLAttributes } from 'react'
import { formatDuration } from './format.js'

export interface StreamProgressBarProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  /** A session, a `useStreamingChat` result, or a progress value. */
  source: ProgressSource
  /** The spoken value of a determinate bar. Default: "42%, about 3.1 s left". */
  formatValueText?(percent: number, progress: LiveProgress): string
}

/** The progress bar's accessible name unless `aria-label` gives another. */
export const DEFAULT_PROGRESS_LABEL = 'Response progress'

/**
 * How far the answer is: determinate when the expected size is known (an estimate or the
 * request's max tokens), indeterminate otherwise. `data-state` is `indeterminate`, `loading`
 * or `complete`; the indicator can be drawn from the `--rivulet-progress` custom property (0..1).
 *
 * @example
 * <StreamProgressBar source={chat} aria-label="Answer progress" />
 */
export const StreamProgressBar = forwardRef<HTMLDivElement, StreamProgressBarProps>(function StreamProgressBar(
  { source, formatValueText = defaultValueText, style, ...rest },
  ref,
) {
  const progress = useStreamProgress(source)
  const percent = progress.status === 'done' ? 100 : progress.percent
  const value = percent === undefined ? undefined : Math.round(Math.min(100, Math.max(0, percent)))
  const state = value === undefined ? 'indeterminate' : value === 100 ? 'complete' : 'loading'
  const variables = { '--rivulet-progress': value === undefined ? undefined : value / 100 } as CSSProperties
  return (
    <div
      ref={ref}
      role="progressbar"
      aria-label={DEFAULT_PROGRESS_LABEL}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-valuetext={value === undefined ? undefined : formatValueText(value, progress)}
      data-rivulet="progress-bar"
      data-state={state}
      data-status={progress.status}
      data-value={value}
      style={{ ...variables, ...style }}
      {...rest}
    >
      <div data-rivulet="progress-indicator" data-state={state} />
    </div>
  )
})

function defaultValueText(percent: number, progress: LiveProgress): string {
  const left = progress.isLive && progress.etaMs ? `, about ${formatDuration(progress.etaMs)} left` : ''
  return `${percent}%${left}`
}
