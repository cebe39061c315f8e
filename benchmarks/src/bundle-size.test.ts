import { describe, expect, it } from 'vitest'
import { bundleSize, rivuletEntries, uiEntry } from './bundle.js'

/**
 * The one benchmark that is a test: bundle size is deterministic. Budgets (gzip) are the ones
 * RESULTS.md reports: react ≤ 3 kB and ui ≤ 8 kB. Core misses its 8 kB target (see RESULTS.md);
 * here it is held to what it is now, so it cannot grow unnoticed.
 */
const CORE_CEILING = 10_500

describe('bundle size (minified + gzip, react and sibling packages external)', () => {
  for (const entry of [...rivuletEntries, uiEntry]) {
    const limit = entry.name.startsWith('@rivulet/core (a chat') ? CORE_CEILING : entry.budget
    if (limit === undefined) continue
    it(`${entry.name} ≤ ${limit} bytes`, async () => {
      const size = await bundleSize(entry)
      expect(size.gzip).toBeLessThanOrEqual(limit)
      expect(size.gzip).toBeGreaterThan(500) // the entry really bundled something
    })
  }
})
