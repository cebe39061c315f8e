/**
 * `pnpm bench`: every benchmark, then benchmarks/RESULTS.md. Benchmarks are not tests: only
 * the deterministic bundle-size budget is checked in `pnpm test` (bundle-size.test.ts).
 * `pnpm bench --markdown` runs only the markdown section and replaces it in RESULTS.md.
 * `pnpm bench --pipeline` and `pnpm bench --conversation` run only that section and print it
 * (RESULTS.md is left alone).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { alternativeEntries, type BundleSize, bundleSize, rivuletEntries, uiEntry } from './bundle.js'
import { conversationBenchmarks } from './conversation.bench.js'
import { decodeBenchmarks, decodeTables } from './decode.bench.js'
import { fmt, table } from './harness.js'
import { markdownBenchmarks } from './markdown.bench.js'
import { allocationsPerToken, sessionMemory } from './memory.bench.js'
import { pipelineBenchmarks } from './pipeline.bench.js'
import { type ReactResult, reactBenchmarks } from './react.bench.js'

const quick = process.argv.includes('--quick')
const markdownOnly = process.argv.includes('--markdown')
const pipelineOnly = process.argv.includes('--pipeline')
const conversationOnly = process.argv.includes('--conversation')
const MARKDOWN_HEADING = '## 6. Markdown rendering in Chromium'
const MARKDOWN_TOKENS = quick ? 2_000 : 10_000
const TOKENS = quick ? 20_000 : 100_000
const ROUNDS = quick ? 3 : 9
const out: string[] = []
const budgets: Array<[string, string, boolean]> = []
const log = (line = '') => {
  out.push(line)
  console.log(line)
}

/** Installed versions; a package whose exports hide package.json is found from its entry's folder up. */
const versions = () => {
  const require = createRequire(import.meta.url)
  const read = (name: string) => {
    try {
      for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
        const file = join(dir, 'package.json')
        if (!existsSync(file)) continue
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
        if (manifest.name === name) return `${name} ${manifest.version}`
      }
    } catch {}
    return `${name} ?`
  }
  return ['openai', '@anthropic-ai/sdk', 'ai', '@ai-sdk/react', 'eventsource-parser', 'react'].map(read)
}

/** Section 2: decode + streamTokens per buffer, with allocation per token. */
async function pipelineSection(): Promise<string[]> {
  const lines: string[] = []
  const pipeline = await pipelineBenchmarks(TOKENS, ROUNDS)
  const alloc = allocationsPerToken(quick ? 5_000 : 20_000)
  lines.push(
    table(
      ['buffer', 'median ms', 'tokens/s', 'bytes allocated / token'],
      pipeline.map((m) => [
        m.name,
        fmt(m.medianMs),
        fmt(TOKENS / (m.medianMs / 1000), 0),
        fmt(alloc.results[m.name] ?? 0, 0),
      ]),
    ),
  )
  lines.push('')
  lines.push(`Allocation is measured in a child process whose young generation is large enough that no`)
  lines.push(
    `scavenge runs, so heap growth is what was allocated. The wire format itself is ${fmt(alloc.wireBytesPerToken, 0)} bytes per token.`,
  )
  return lines
}

/** A tool conversation's heap against its text, and the cost of streaming tool arguments. */
function conversationSection(): { lines: string[]; budgets: Array<[string, string, boolean]> } {
  const result = conversationBenchmarks(quick ? 3 : 5)
  const lines: string[] = []
  lines.push('Heap held after GC by a finished tool conversation (each step: 4,000 characters of text in')
  lines.push('100-character deltas, one tool call run by `execute`, finish `tool-calls`; then a closing step;')
  lines.push('`maxSteps: 201`, `syncScheduler`, scripted in-process transport). Median of 3 conversations each.')
  lines.push('')
  lines.push(
    table(
      ['steps', 'requests', 'text (chars)', 'heap held', 'held / text', 'held per step'],
      result.heap.map((r) => [
        fmt(r.steps, 0),
        fmt(r.requests, 0),
        fmt(r.textBytes, 0),
        `${fmt(r.heldBytes / 1024)} KiB`,
        `${fmt(r.heldBytes / r.textBytes, 2)}×`,
        `${fmt(r.heldBytes / r.steps, 0)} B`,
      ]),
    ),
  )
  lines.push('')
  lines.push('One tool call whose JSON arguments stream as `tool-call-delta`s of 10 bytes through a session')
  lines.push('(`syncScheduler`, so every delta builds a snapshot with the partial input). CPU time of the')
  lines.push('process (user + system), fastest of the rounds; median beside. The last column is the same')
  lines.push('stream through a session whose scheduler never flushes mid-stream: the builder and PartialJSON')
  lines.push('alone, without a snapshot per delta.')
  lines.push('')
  lines.push(
    table(
      ['arguments', 'deltas', 'fastest ms', 'median ms', 'ms per KB', 'no mid-stream snapshot: fastest ms'],
      result.stream.map((r) => [
        `${r.kb} KB`,
        fmt(r.deltas, 0),
        fmt(r.fastestMs),
        fmt(r.medianMs),
        fmt(r.fastestMs / r.kb, 2),
        fmt(r.noFlushFastestMs),
      ]),
    ),
  )
  const out: Array<[string, string, boolean]> = []
  const first = result.heap[0]
  const last = result.heap.at(-1)
  if (first && last) {
    // Linear: the heap a step adds stays the same as the conversation grows.
    const perStepFirst = first.heldBytes / first.steps
    const perStepLast = last.heldBytes / last.steps
    const ratio = last.heldBytes / last.textBytes
    out.push([
      'memory: 200-step tool conversation holds heap linear in its text (held ≤ 1.5× text at 200 steps)',
      `${fmt(ratio, 2)}× (${fmt(perStepFirst, 0)} → ${fmt(perStepLast, 0)} B/step)`,
      ratio <= 1.5,
    ])
  }
  const small = result.stream.find((r) => r.kb === 25)
  const big = result.stream.find((r) => r.kb === 200)
  if (small && big) {
    const growth = big.fastestMs / big.kb / (small.fastestMs / small.kb)
    out.push([
      'tool arguments: O(n) streaming (ms per KB at 200 KB ≤ 1.5× at 25 KB)',
      `${fmt(growth, 2)}×`,
      growth <= 1.5,
    ])
  }
  return { lines, budgets: out }
}

if (pipelineOnly) {
  console.log(`## 2. decode + streamTokens (${fmt(TOKENS, 0)} OpenAI tokens)\n`)
  for (const line of await pipelineSection()) console.log(line)
  process.exit(0)
}

if (conversationOnly) {
  const section = conversationSection()
  for (const line of section.lines) console.log(line)
  console.log()
  console.log(
    table(
      ['budget', 'measured', 'result'],
      section.budgets.map(([n, v, p]) => [n, v, p ? 'pass' : 'MISS']),
    ),
  )
  process.exit(0)
}

if (markdownOnly) {
  const section = `${MARKDOWN_HEADING}\n\n${(await markdownBenchmarks({ tokens: MARKDOWN_TOKENS })).markdown}\n`
  console.log(section)
  if (!quick) {
    // The section sits before the budgets table; a run of it alone replaces it there.
    const file = new URL('../RESULTS.md', import.meta.url)
    const results = readFileSync(file, 'utf8')
    const start = results.indexOf(MARKDOWN_HEADING)
    const budgetsAt = results.indexOf('\n## Budgets\n', Math.max(0, start))
    const end = budgetsAt < 0 ? -1 : budgetsAt + 1
    const before = results.slice(0, start >= 0 ? start : end > 0 ? end : results.length)
    const after = end > 0 ? results.slice(end) : ''
    writeFileSync(
      file,
      `${before}${section}\n_Last run alone: \`pnpm bench --markdown\`, ${new Date().toISOString().slice(0, 10)}._\n\n${after}`,
    )
  }
  process.exit(0)
}

log('# Rivulet benchmarks')
log()
log(
  `Generated ${new Date().toISOString().slice(0, 10)} by \`pnpm bench\`${quick ? ' --quick' : ''} on ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
)
log(`Compared with: ${versions().join(', ')}.`)
log()
log('Contenders run in the same process in alternating rounds (the order rotates each round);')
log('figures are medians. The machine is shared and noisy: read the ratios, not the absolute times.')
log()

// 1. Decode throughput
log(`## 1. Decode throughput (${fmt(TOKENS, 0)} tokens, chunks of 1 B – 4 KiB, ${ROUNDS} rounds)`)
log()
const decodeResults = await decodeBenchmarks(TOKENS, ROUNDS)
log('`decode` reads each source as a user hands it over: a `Response` (what `fetch` returns), its')
log('`ReadableStream`, an async iterable of chunks. The floor is hand-written and knows the bodies')
log('(LF line ends, one `data:` line per event). Times here are the CPU time of the process (user +')
log('system): nothing waits on I/O, and other load on the machine does not add to it as it does to')
log("wall time. Ratios, throughput and budgets use each contender's fastest round, since noise only")
log('ever slows a round down; medians are shown beside.')
log()
log(decodeTables(decodeResults))
for (const result of decodeResults) {
  // The budget is the path every `fetch` user takes; the other sources are reported beside it.
  const ours = result.decodeMs.Response
  const ratio = ours / result.floorMs
  budgets.push([`${result.protocol}: decode of a Response ≤ 1.1× the floor's time`, `${fmt(ratio, 2)}×`, ratio <= 1.1])
  const slowestRatio = Math.min(...result.sdks.map((m) => m.minMs / ours))
  budgets.push([
    `${result.protocol}: decode faster than every SDK parser`,
    `${fmt(slowestRatio, 2)}× the fastest SDK`,
    slowestRatio > 1,
  ])
}

// 2. Pipeline
log(`## 2. decode + streamTokens (${fmt(TOKENS, 0)} OpenAI tokens)`)
log()
for (const line of await pipelineSection()) log(line)
log()

// 3. React in Chromium
log('## 3. React rendering in Chromium')
log()
let react: ReactResult | undefined
try {
  react = await reactBenchmarks({ tokens: quick ? 2_000 : 10_000 })
} catch (error) {
  log(`Not measured: ${error instanceof Error ? error.message : String(error)}`)
  log()
}
if (react) {
  log(react.markdown)
  log()
  for (const budget of react.budgets) budgets.push(budget)
}

// 4. Memory
log('## 4. Memory')
log()
const memory = sessionMemory()
const growth = memory.afterThousandMore - memory.warmHeap
log(
  table(
    ['measure', 'value'],
    [
      ['heap held by a finished 1,000,000-token answer', `${fmt(memory.heldBytes / 2 ** 20)} MiB`],
      ['the answer text itself', `${fmt(memory.textBytes / 2 ** 20)} MiB`],
      [
        'heap growth over 1,000 send/abort/reset cycles (after 1,000 warm-up cycles)',
        `${fmt(growth / 1024)} KiB (${fmt(growth / 1000, 0)} B/cycle)`,
      ],
    ],
  ),
)
log()
budgets.push([
  'memory: answer held ≤ 1.5× its text',
  `${fmt(memory.heldBytes / memory.textBytes, 2)}×`,
  memory.heldBytes <= 1.5 * memory.textBytes,
])
budgets.push([
  'memory: flat across 1,000 cycles (< 100 B/cycle)',
  `${fmt(growth / 1000, 0)} B/cycle`,
  growth / 1000 < 100,
])

log('### Tool conversations')
log()
const conversation = conversationSection()
for (const line of conversation.lines) log(line)
log()
for (const budget of conversation.budgets) budgets.push(budget)

// 5. Bundle size
log('## 5. Bundle size (esbuild, minified; react external)')
log()
const sizes: BundleSize[] = []
for (const entry of [...rivuletEntries, uiEntry, ...alternativeEntries]) sizes.push(await bundleSize(entry))
log(
  table(
    ['entry', 'minified', 'gzip', 'brotli', 'budget (gzip)', 'ceiling held by pnpm test (gzip)'],
    sizes.map((s) => [
      s.name,
      fmt(s.minified, 0),
      fmt(s.gzip, 0),
      fmt(s.brotli, 0),
      s.budget ? fmt(s.budget, 0) : '',
      s.ceiling ? fmt(s.ceiling, 0) : '',
    ]),
  ),
)
log()
for (const s of sizes)
  if (s.budget)
    budgets.push([
      `bundle: ${s.name} ≤ ${fmt(s.budget / 1000, 0)} kB gzip`,
      `${fmt(s.gzip / 1000, 2)} kB${s.ceiling ? ` (held to ≤ ${fmt(s.ceiling / 1000, 0)} kB until it meets the budget)` : ''}`,
      s.gzip <= s.budget,
    ])

// 6. Markdown
log(MARKDOWN_HEADING)
log()
try {
  const markdown = await markdownBenchmarks({ tokens: MARKDOWN_TOKENS })
  log(markdown.markdown)
  for (const budget of markdown.budgets) budgets.push(budget)
} catch (error) {
  log(`Not measured: ${error instanceof Error ? error.message : String(error)}`)
}
log()

log('## Budgets')
log()
log(
  table(
    ['budget', 'measured', 'result'],
    budgets.map(([name, value, pass]) => [name, value, pass ? 'pass' : 'MISS']),
  ),
)
log()
log('Regenerate with `pnpm bench` (about 7 minutes); `pnpm bench --quick` for a smaller run; `pnpm bench --markdown`')
log('for section 6 alone (about 90 seconds).')

if (!quick) writeFileSync(new URL('../RESULTS.md', import.meta.url), `${out.join('\n')}\n`)
