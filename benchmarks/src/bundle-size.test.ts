import { describe, expect, it } from 'vitest'
import { bundleSize, rivuletEntries, uiEntry } from './bundle.js'

/**
 * The one benchmark that is a test: bundle size is deterministic. Each entry with a budget (gzip,
 * the ones RESULTS.md reports) is held to it. An entry that misses its budget is held to a
 * ceiling near its current size instead, so it cannot grow unnoticed, and its test name says
 * so; once it meets its budget again, that test fails until the ceiling is removed.
 */
const bytes = (n: number) => `${n.toLocaleString('en-US')} B`

describe('bundle size (minified + gzip, react and sibling packages external)', () => {
  for (const entry of [...rivuletEntries, uiEntry]) {
    const { budget, ceiling } = entry
    if (budget === undefined) continue
    if (ceiling === undefined) {
      it(`${entry.name} ≤ ${bytes(budget)} (its budget)`, async () => {
        const size = await bundleSize(entry)
        expect(size.gzip).toBeLessThanOrEqual(budget)
        expect(size.gzip).toBeGreaterThan(500) // the entry really bundled something
      })
      continue
    }
    it(`${entry.name} misses its ${bytes(budget)} budget: held to its current size, ≤ ${bytes(ceiling)} (ceiling)`, async () => {
      const size = await bundleSize(entry)
      expect(size.gzip).toBeLessThanOrEqual(ceiling)
      expect(size.gzip, 'meets its budget again: remove the ceiling').toBeGreaterThan(budget)
    })
  }
})
