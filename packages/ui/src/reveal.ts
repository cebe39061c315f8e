import { nextGraphemeBoundary } from './graphemes.js'

/**
 * The typing effect's clock, free of React and the DOM: how much of the arrived text to show
 * at each frame so bursty delivery looks even while nothing waits too long.
 */
export interface RevealOptions {
  /** Longest a character may wait between arriving and being shown. Default 300 ms. */
  maxLagMs?: number
  /** The backlog is revealed at backlog / targetLagMs, so a steady stream settles this far behind. Default 150 ms. */
  targetLagMs?: number
  /** Slowest reveal while anything waits, so the end of a burst types on instead of crawling. Default 60 chars/s. */
  minCharsPerSecond?: number
}

export const REVEAL_DEFAULTS: Required<RevealOptions> = { maxLagMs: 300, targetLagMs: 150, minCharsPerSecond: 60 }

/**
 * Arrivals are aimed to be fully shown two 60 Hz frames before their deadline: one because
 * ticks only come once a frame, one because React commits what a tick decided a frame later.
 * So a character is on screen within maxLagMs of arriving, not just decided on.
 */
export const FRAME_MARGIN_MS = 34

/** Text that arrived and is not all shown yet: where it ends and how long ago it came. */
export interface PendingArrival {
  end: number
  ageMs: number
}

export interface RevealStep {
  /** Characters that have arrived. */
  arrived: number
  /** Characters shown so far (fractional: sub-character progress carries over between frames). */
  revealed: number
  /** Time since the previous step. */
  elapsedMs: number
  /** Arrivals not fully shown, for the lag bound; without them only the rate applies. */
  pending?: readonly PendingArrival[]
}

/**
 * Where the reveal is after `elapsedMs` more. Pure numbers: no text, no clock.
 *
 * Rate = backlog / targetLagMs (a burst is spread out, fast at first, slower as it drains),
 * floored at minCharsPerSecond, and raised to whatever each pending arrival needs to be fully
 * shown by `maxLagMs - FRAME_MARGIN_MS` after it came; an arrival at or past that age is shown
 * at once. Never moves back, never passes `arrived`.
 *
 * @example
 * nextRevealed({ arrived: 300, revealed: 0, elapsedMs: 16 }) // 32: 300 chars / 150 ms × 16 ms
 */
export function nextRevealed(step: RevealStep, options: RevealOptions = {}): number {
  const { maxLagMs, targetLagMs, minCharsPerSecond } = { ...REVEAL_DEFAULTS, ...options }
  const { arrived, revealed, elapsedMs, pending = [] } = step
  if (revealed >= arrived) return Math.max(revealed, arrived)
  const backlog = arrived - revealed
  const charsPerMs = Math.max(minCharsPerSecond / 1000, backlog / targetLagMs)
  let advance = charsPerMs * Math.max(0, elapsedMs)
  const aimMs = Math.max(0, maxLagMs - FRAME_MARGIN_MS)
  for (const { end, ageMs } of pending) {
    const waiting = Math.min(end, arrived) - revealed
    if (waiting <= 0) continue
    if (ageMs >= aimMs) {
      advance = Math.max(advance, waiting)
      continue
    }
    // Linear from the previous step (or from arrival, if later) to the aim: an even pace, no jump at the deadline.
    const spentMs = Math.max(0, Math.min(elapsedMs, ageMs))
    advance = Math.max(advance, (waiting * spentMs) / (aimMs - ageMs + spentMs))
  }
  return Math.min(arrived, revealed + advance)
}

/**
 * Drives `nextRevealed` over a growing text: records when each piece arrived, keeps the
 * fractional position, and only ever stops on grapheme boundaries.
 *
 * @example
 * const clock = new RevealClock()
 * clock.arrive('Hello, world', performance.now())
 * requestAnimationFrame(function frame(time) {
 *   render(text.slice(0, clock.tick(time)))
 *   if (!clock.caughtUp) requestAnimationFrame(frame)
 * })
 */
export class RevealClock {
  private text: string
  private shown: number
  private position: number
  private lastTick: number | undefined
  private arrivals: { end: number; at: number }[] = []

  /** `initialText` counts as already shown (it was there before the clock started). */
  constructor(
    private readonly options: RevealOptions = {},
    initialText = '',
  ) {
    this.text = initialText
    this.shown = this.position = initialText.length
  }

  /** Characters shown, always on a grapheme boundary. */
  get revealed(): number {
    return this.shown
  }

  get caughtUp(): boolean {
    return this.shown >= this.text.length
  }

  /** The whole text so far, seen at `now`. A text that does not continue the previous one starts over. */
  arrive(text: string, now: number): void {
    if (text === this.text) return
    if (!text.startsWith(this.text)) {
      this.shown = this.position = 0
      this.arrivals = []
      this.lastTick = undefined
    }
    // Idle until now: time starts at the arrival, not at the last frame long ago.
    if (this.caughtUp) this.lastTick = now
    this.text = text
    if (text.length > this.shown) this.arrivals.push({ end: text.length, at: now })
  }

  /** Moves on to `now` (a frame time); returns how many characters to show. */
  tick(now: number): number {
    const elapsedMs = this.lastTick === undefined ? 0 : Math.max(0, now - this.lastTick)
    this.lastTick = now
    const target = nextRevealed(
      {
        arrived: this.text.length,
        revealed: this.position,
        elapsedMs,
        pending: this.arrivals.map(({ end, at }) => ({ end, ageMs: Math.max(0, now - at) })),
      },
      this.options,
    )
    this.shown = nextGraphemeBoundary(this.text, this.shown, Math.floor(target))
    this.position = Math.max(target, this.shown)
    this.arrivals = this.arrivals.filter(({ end }) => end > this.shown)
    return this.shown
  }

  /** Shows everything now: the stream ended, was stopped, or motion is reduced. */
  finish(): number {
    this.shown = this.position = this.text.length
    this.arrivals = []
    return this.shown
  }
}
