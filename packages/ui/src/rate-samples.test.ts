import { describe, expect, it } from 'vitest'
import { addRateSample, MAX_SAMPLES, type RateSample, SAMPLE_EVERY_MS, sparklinePoints } from './rate-samples.js'

describe('addRateSample', () => {
  it('starts at the first token with the average rate, then samples a windowed rate', () => {
    let samples: readonly RateSample[] = []
    samples = addRateSample(samples, 300, 0, 0)
    expect(samples).toEqual([])
    samples = addRateSample(samples, 400, 1, 0)
    expect(samples).toEqual([{ atMs: 400, tokens: 1, tokensPerSecond: 0 }])
    const same = addRateSample(samples, 400 + SAMPLE_EVERY_MS - 1, 5, 10)
    expect(same).toBe(samples)
    samples = addRateSample(samples, 650, 11, 40)
    expect(samples.at(-1)).toEqual({ atMs: 650, tokens: 11, tokensPerSecond: 40 })
  })

  it('takes the rate over about a second, so a burst and a gap do not read as spike and zero', () => {
    let samples: readonly RateSample[] = []
    let tokens = 0
    for (let at = 0; at <= 3000; at += 250) {
      if (at % 500 === 0) tokens += 25 // 50 tokens/s, delivered in bursts
      samples = addRateSample(samples, at, tokens, 50)
    }
    for (const sample of samples.filter((s) => s.atMs >= 1000)) expect(sample.tokensPerSecond).toBeCloseTo(50, 0)
  })

  it('starts over when a new stream begins', () => {
    let samples = addRateSample([], 100, 5, 10)
    samples = addRateSample(samples, 400, 9, 10)
    expect(addRateSample(samples, 50, 1, 0)).toEqual([{ atMs: 50, tokens: 1, tokensPerSecond: 0 }])
  })

  it('keeps the last samples only', () => {
    let samples: readonly RateSample[] = []
    for (let i = 1; i <= MAX_SAMPLES + 10; i++) samples = addRateSample(samples, i * SAMPLE_EVERY_MS, i, 4)
    expect(samples).toHaveLength(MAX_SAMPLES)
    expect(samples.at(-1)?.tokens).toBe(MAX_SAMPLES + 10)
  })
})

describe('sparklinePoints', () => {
  it('scales values into the box, the peak at the top', () => {
    expect(sparklinePoints([0, 10, 5], 100, 20)).toBe('0,20 50,0 100,10')
  })

  it('draws a flat line for a single value and nothing for none', () => {
    expect(sparklinePoints([3], 10, 4)).toBe('0,0 10,0')
    expect(sparklinePoints([0, 0], 10, 4)).toBe('0,4 10,4')
    expect(sparklinePoints([], 10, 4)).toBe('')
  })
})
