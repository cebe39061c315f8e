import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FRAME_MARGIN_MS, nextRevealed, REVEAL_DEFAULTS, RevealClock } from './reveal.js'

const { maxLagMs } = REVEAL_DEFAULTS

describe('nextRevealed', () => {
  it('reveals the backlog at backlog / target lag', () => {
    // 300 chars behind, 150 ms target: 2 chars per ms, 32 in a 16 ms frame.
    expect(nextRevealed({ arrived: 300, revealed: 0, elapsedMs: 16 })).toBe(32)
    expect(nextRevealed({ arrived: 400, revealed: 100, elapsedMs: 10 })).toBe(120)
  })

  it('keeps a floor rate so a small backlog types on instead of crawling', () => {
    // 3 chars / 150 ms would be 0.02 per ms; the floor is 60 per second.
    expect(nextRevealed({ arrived: 3, revealed: 0, elapsedMs: 16 })).toBeCloseTo(0.96)
    expect(nextRevealed({ arrived: 3, revealed: 0, elapsedMs: 16 }, { minCharsPerSecond: 0 })).toBeCloseTo(0.32)
  })

  it('never passes what arrived and never moves back', () => {
    expect(nextRevealed({ arrived: 10, revealed: 0, elapsedMs: 5000 })).toBe(10)
    expect(nextRevealed({ arrived: 10, revealed: 10, elapsedMs: 16 })).toBe(10)
    expect(nextRevealed({ arrived: 10, revealed: 4, elapsedMs: -16 })).toBe(4)
    expect(nextRevealed({ arrived: 10, revealed: 4, elapsedMs: 0 })).toBe(4)
  })

  it('shows an arrival at once when it is as old as the lag bound allows', () => {
    const aged = maxLagMs - FRAME_MARGIN_MS
    expect(nextRevealed({ arrived: 1000, revealed: 0, elapsedMs: 0, pending: [{ end: 1000, ageMs: aged }] })).toBe(1000)
    expect(nextRevealed({ arrived: 1000, revealed: 0, elapsedMs: 0, pending: [{ end: 600, ageMs: aged }] })).toBe(600)
  })

  it('paces an arrival evenly towards its deadline', () => {
    const aimMs = maxLagMs - FRAME_MARGIN_MS
    const rateOnly = { targetLagMs: Number.POSITIVE_INFINITY, minCharsPerSecond: 0 }
    // aimMs chars due in aimMs: one char per ms, from arrival on.
    expect(
      nextRevealed({ arrived: aimMs, revealed: 0, elapsedMs: 10, pending: [{ end: aimMs, ageMs: 10 }] }, rateOnly),
    ).toBe(10)
    // Halfway there with half left: the same pace.
    const half = aimMs / 2
    expect(
      nextRevealed(
        { arrived: aimMs, revealed: half, elapsedMs: 10, pending: [{ end: aimMs, ageMs: half + 10 }] },
        rateOnly,
      ),
    ).toBeCloseTo(half + 10)
  })
})

/** Arrivals at times (ms) of pieces of a text; frames every `frameMs`; runs the clock over them. */
function simulate(
  pieces: readonly { gapMs: number; text: string }[],
  frameIntervals: readonly number[],
  onFrame: (frame: { now: number; revealed: number; text: string; arrivals: { end: number; at: number }[] }) => void,
) {
  const clock = new RevealClock()
  const arrivals: { end: number; at: number }[] = []
  let at = 0
  for (const { gapMs, text } of pieces) {
    at += gapMs
    const previous = arrivals.at(-1)?.end ?? 0
    arrivals.push({ end: previous + text.length, at })
  }
  const full = pieces.map((piece) => piece.text).join('')
  const lastArrival = at
  let now = 0
  let next = 0
  let frame = 0
  while (now <= lastArrival + maxLagMs + 100) {
    now += frameIntervals[frame++ % frameIntervals.length]!
    while (next < arrivals.length && arrivals[next]!.at <= now) {
      // Seen at its arrival time, as a component sees new text between frames.
      clock.arrive(full.slice(0, arrivals[next]!.end), arrivals[next]!.at)
      next++
    }
    const text = full.slice(0, arrivals[next - 1]?.end ?? 0)
    onFrame({ now, revealed: clock.tick(now), text, arrivals: arrivals.slice(0, next) })
  }
  return clock
}

const bursts = fc.array(
  fc.record({ gapMs: fc.integer({ min: 0, max: 600 }), size: fc.integer({ min: 0, max: 800 }) }),
  { minLength: 1, maxLength: 25 },
)
const asciiPieces = bursts.map((list) => list.map(({ gapMs, size }) => ({ gapMs, text: 'x'.repeat(size) })))
const frames = fc.array(fc.integer({ min: 4, max: 120 }), { minLength: 1, maxLength: 8 })

describe('RevealClock', () => {
  it('is never more than 300 ms behind what arrived, whatever the bursts and frame timing', () => {
    fc.assert(
      fc.property(asciiPieces, frames, (pieces, intervals) => {
        simulate(pieces, intervals, ({ now, revealed, arrivals }) => {
          const due = arrivals.findLast(({ at }) => now - at >= maxLagMs)
          if (due) expect(revealed).toBeGreaterThanOrEqual(due.end)
        })
      }),
      { numRuns: 300 },
    )
  })

  it('at 60 frames a second, shows every character within 300 ms of its arrival, commit frame included', () => {
    fc.assert(
      fc.property(asciiPieces, (pieces) => {
        const shownAt: number[] = []
        let arrivalsSeen: { end: number; at: number }[] = []
        simulate(pieces, [1000 / 60], ({ now, revealed, arrivals }) => {
          for (let i = shownAt.length; i < revealed; i++) shownAt.push(now)
          arrivalsSeen = arrivals
        })
        let start = 0
        let worstLagMs = 0
        for (const { end, at } of arrivalsSeen) {
          for (let i = start; i < end; i++) worstLagMs = Math.max(worstLagMs, shownAt[i]! - at)
          start = end
        }
        // Decided at a tick, on screen at most one frame later.
        expect(worstLagMs + 1000 / 60).toBeLessThanOrEqual(maxLagMs)
      }),
      { numRuns: 200 },
    )
  })

  it('only moves forward, never past what arrived, and ends with everything shown', () => {
    fc.assert(
      fc.property(asciiPieces, frames, (pieces, intervals) => {
        let last = 0
        const clock = simulate(pieces, intervals, ({ revealed, text }) => {
          expect(revealed).toBeGreaterThanOrEqual(last)
          expect(revealed).toBeLessThanOrEqual(text.length)
          last = revealed
        })
        expect(clock.revealed).toBe(pieces.reduce((sum, piece) => sum + piece.text.length, 0))
        expect(clock.caughtUp).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('evens out bursts: a burst is spread over frames, not shown in one', () => {
    const steps: number[] = []
    simulate([{ gapMs: 0, text: 'x'.repeat(200) }], [16], ({ revealed }) => steps.push(revealed))
    const firstFull = steps.indexOf(200)
    expect(firstFull).toBeGreaterThan(5)
    expect(steps[0]).toBeLessThan(50)
  })

  it('finishes at once on done or abort, from any point', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 200 }), (size, afterMs) => {
        const clock = new RevealClock()
        clock.arrive('y'.repeat(size), 0)
        clock.tick(afterMs)
        expect(clock.finish()).toBe(size)
        expect(clock.revealed).toBe(size)
        expect(clock.caughtUp).toBe(true)
      }),
    )
  })

  it('never splits a grapheme: emoji, flags, ZWJ sequences and accents come whole', () => {
    const graphemes = ['a', ' ', 'e\u0301', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷', '中', '❤️', '🏳️‍🌈']
    const pieces = fc.array(
      fc.record({
        gapMs: fc.integer({ min: 0, max: 400 }),
        text: fc.array(fc.constantFrom(...graphemes), { maxLength: 30 }).map((list) => list.join('')),
      }),
      { minLength: 1, maxLength: 15 },
    )
    const segmenter = new Intl.Segmenter()
    fc.assert(
      fc.property(pieces, frames, (list, intervals) => {
        const full = list.map((piece) => piece.text).join('')
        const boundaries = new Set([0, ...Array.from(segmenter.segment(full), (s) => s.index + s.segment.length)])
        simulate(list, intervals, ({ revealed }) => expect(boundaries.has(revealed)).toBe(true))
      }),
      { numRuns: 200 },
    )
  })

  it('counts the text it starts with as shown', () => {
    const clock = new RevealClock({}, 'Already here.')
    expect(clock.revealed).toBe(13)
    expect(clock.caughtUp).toBe(true)
    clock.arrive('Already here. More', 1000)
    expect(clock.tick(1016)).toBeLessThan(18)
    expect(clock.tick(1000 + maxLagMs)).toBe(18)
  })

  it('starts over when the text does not continue the previous one', () => {
    const clock = new RevealClock({}, 'First answer')
    clock.arrive('Second', 0)
    expect(clock.revealed).toBe(0)
    expect(clock.tick(maxLagMs)).toBe(6)
  })

  it('starts timing from an arrival after being idle, not from the last frame', () => {
    const clock = new RevealClock()
    clock.arrive('abc', 0)
    expect(clock.tick(maxLagMs)).toBe(3)
    clock.arrive(`abc${'d'.repeat(300)}`, 10_000)
    // 16 ms after the arrival, not 9 700 ms after the last frame: a frame's worth, not all of it.
    expect(clock.tick(10_016)).toBeLessThan(60)
  })
})
