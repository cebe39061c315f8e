/**
 * Bytes allocated per token by decode + streamTokens, in a process started with a young
 * generation large enough that no scavenge runs: the heap grows by exactly what was allocated.
 * Run by memory.bench.ts with --expose-gc --min-semi-space-size / --max-semi-space-size.
 */
import { getHeapStatistics } from 'node:v8'
import { decode, streamTokens } from '@rivulet/core'
import { body, tokens } from './corpus.js'
import { chunk, prng, streamOf } from './harness.js'
import { strategies } from './pipeline.bench.js'

declare const gc: () => void
const count = Number(process.argv[2] ?? 20_000)
const deltas = tokens(count, 3)
const chunks = chunk(body('openai-chat', deltas), prng(3))
const wireBytes = chunks.reduce((sum, c) => sum + c.length, 0)
const results: Record<string, number> = {}

for (const [name, buffer] of strategies) {
  // One warm run so code is compiled, then the measured one.
  for (const measured of [false, true]) {
    gc()
    const before = getHeapStatistics().used_heap_size
    const parts = decode(streamOf(chunks), { protocol: 'openai-chat' })
    if (buffer === undefined) for await (const _ of parts);
    else for await (const _ of streamTokens(parts, { buffer })) void _
    const after = getHeapStatistics().used_heap_size
    if (measured) results[name] = (after - before) / count
  }
}
process.stdout.write(JSON.stringify({ results, wireBytesPerToken: wireBytes / count }))
