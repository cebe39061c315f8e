import type { ChatSession, ChatSnapshot, ChatStatus, StreamProgress } from '@rivulet/core'
import { useEffect, useReducer, useRef, useSyncExternalStore } from 'react'

/** Anything progress can be read from: a session, a hook result, or a progress value. */
export type ProgressSource =
  | ChatSession
  | { progress?: StreamProgress | undefined; status?: ChatStatus }
  | StreamProgress
  | undefined

export interface LiveProgress extends StreamProgress {
  status: ChatStatus
  isLive: boolean
}

/** How often elapsed time ticks while a stream is live: at most 10 times a second. */
const TICK_MS = 100
const noSubscribe = () => () => {}
const IDLE: ChatSnapshot = { messages: [], status: 'idle' }

/**
 * TTFT, tokens/s, tokens, elapsed, ETA and percent of a stream, with `elapsedMs` ticking
 * (10 times a second at most) while the stream is live, and still when it is not. A bare
 * `StreamProgress` is shown as it is.
 *
 * @example
 * const chat = useStreamingChat({ transport })
 * const { ttftMs, tokensPerSecond, elapsedMs } = useStreamProgress(chat)
 */
export function useStreamProgress(source: ProgressSource): LiveProgress {
  const session = isSession(source) ? source : undefined
  const snapshot = useSyncExternalStore(
    session?.subscribe ?? noSubscribe,
    session?.getSnapshot ?? (() => IDLE),
    session?.getSnapshot ?? (() => IDLE),
  )
  const { progress, status } = session ? snapshot : fromValue(source as Exclude<ProgressSource, ChatSession>)
  // A bare progress value says nothing of when the stream ends, so it does not tick.
  const isLive = !isProgress(source) && (status === 'submitted' || status === 'streaming')

  // Elapsed time moves on between updates: measured from when this progress value was seen.
  const seen = useRef<{ progress: StreamProgress | undefined; at: number }>({ progress: undefined, at: 0 })
  if (seen.current.progress !== progress) seen.current = { progress, at: now() }
  const [, tick] = useReducer((n: number) => n + 1, 0)
  useEffect(() => {
    if (!isLive) return
    const id = setInterval(tick, TICK_MS)
    return () => clearInterval(id)
  }, [isLive])

  const base = progress ?? { tokens: 0, elapsedMs: 0, tokensPerSecond: 0 }
  const elapsedMs = isLive && progress ? base.elapsedMs + Math.max(0, now() - seen.current.at) : base.elapsedMs
  return { ...base, elapsedMs, status, isLive }
}

function fromValue(source: Exclude<ProgressSource, ChatSession>): { progress?: StreamProgress; status: ChatStatus } {
  if (source === undefined) return { status: 'idle' }
  if (isProgress(source)) return { progress: source, status: 'streaming' }
  return { progress: source.progress, status: source.status ?? (source.progress ? 'streaming' : 'idle') }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now()
}

function isSession(source: ProgressSource): source is ChatSession {
  return typeof (source as ChatSession | undefined)?.subscribe === 'function'
}

function isProgress(source: ProgressSource): source is StreamProgress {
  return typeof (source as StreamProgress | undefined)?.tokens === 'number'
}
