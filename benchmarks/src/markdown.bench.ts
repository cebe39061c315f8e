/**
 * Markdown rendering in real Chromium: the React page (react-page/) in its markdown mode streams
 * one markdown answer through `useStreamingChat`, rendered by `@rivulet/markdown`'s
 * `<Markdown streaming>`, streamdown, or react-markdown + remark-gfm, all fed the same stream,
 * and measures it as the React section does; beside it, each renderer's bundle size.
 */
import { cpus, loadavg } from 'node:os'
import type { ContenderName } from '../react-page/src/protocol.js'
import { type BundleSize, bundleSize, markdownEntries } from './bundle.js'
import { fmt, table } from './harness.js'
import { combine, type Figures, inFrames, rateName, streamInChromium } from './react.bench.js'

export interface MarkdownResult {
  markdown: string
  budgets: Array<[string, string, boolean]>
}

const CONTENDERS: readonly ContenderName[] = ['rivulet-markdown', 'streamdown', 'react-markdown']
const RATES = [1000, 0] as const
/** The paced stream is long and steady; the burst is run three times and the medians kept. */
const repeatsAt = (rate: number) => (rate === 0 ? 3 : 1)
/** "Flat": the last tenth's per-frame time within this factor of the first tenth's (or 1 ms of it). */
const FLAT_FACTOR = 1.5

/** A frame time, or – where no frame fell in that tenth of the answer. */
const frameTime = (ms: number) => (Number.isFinite(ms) ? `${fmt(ms)} ms` : '–')

const flat = (m: Figures) =>
  m.frameWorkLastTenthMs <= Math.max(FLAT_FACTOR * m.frameWorkFirstTenthMs, m.frameWorkFirstTenthMs + 1)

export async function markdownBenchmarks(options: { tokens: number }): Promise<MarkdownResult> {
  const loadAtStart = loadavg()[0] ?? 0
  const { results, failures } = await streamInChromium(CONTENDERS, RATES, (rate) => ({
    tokens: options.tokens,
    repeats: repeatsAt(rate),
  }))
  const sizes: BundleSize[] = []
  for (const entry of markdownEntries) sizes.push(await bundleSize(entry))

  const get = (name: ContenderName, rate: number) => {
    const runs = results.get(`${name}@${rate}`)
    return runs ? combine(runs) : undefined
  }
  const out: string[] = []
  const budgets: Array<[string, string, boolean]> = []
  const load = `${fmt(loadAtStart, 2)} when the section started, ${fmt(loadavg()[0] ?? 0, 2)} when it ended`
  out.push(
    `A ${fmt(options.tokens, 0)}-token markdown answer (headings, nested lists, fenced code, a table with`,
    'alignment, footnotes; cut into deltas of about 4 characters, so markers and fences are split',
    "mid-way), streamed as in section 3 (the page's Service Worker, 1 B – 4 KiB reads, paced on the",
    'wall clock) through `useStreamingChat`, which commits at most once per frame; its text goes to',
    'each renderer as is, so react-markdown is re-rendered (and re-parses the whole answer) once per',
    'frame. Production React build (profiling), headless Chromium, one fresh page per stream; the',
    'burst three times (medians; long tasks: the worst run). The machine was shared',
    `(${cpus().length} cores, other work running): one-minute load average ${load}.`,
    '',
    '- rivulet-markdown: `<Markdown text streaming>` from `@rivulet/markdown`.',
    '- streamdown: `<Streamdown isAnimating>` (its defaults: incomplete-markdown repair, per-block memo).',
    '- react-markdown: `<ReactMarkdown remarkPlugins={[remarkGfm]}>`.',
    '',
    'Columns as in section 3; the page learns which part of the source a commit rendered from a layout',
    'effect after it, since the DOM shows the rendering, not the source. **frame time first / last',
    'tenth**: the mean main-thread time of a frame (from its start through its paint: rAF callbacks,',
    'the React work done in them, style, layout, paint; plus render time of React commits made between',
    'frames) while the first and the last tenth of the answer came in (–: no frame in it, as in a burst',
    'shown in one or two commits). Flat: the last ≤',
    `${fmt(FLAT_FACTOR, 1)}× the first (or within 1 ms of it).`,
    '',
  )
  for (const rate of RATES) {
    const rows: (string | number)[][] = []
    for (const name of CONTENDERS) {
      const m = get(name, rate)
      if (!m) {
        rows.push([name, `not measured: ${failures.get(`${name}@${rate}`) ?? 'no result'}`, ...Array(9).fill('')])
        continue
      }
      rows.push([
        name,
        rate === 0 ? 'all at once' : fmt(m.deliveredPerSecond, 0),
        fmt(m.framesPerSecond, 0),
        fmt(m.commitsPerFrame, 2),
        fmt(m.framesWithSeveralCommits, 0),
        m.longTasks === 0 ? '0' : `${m.longTasks} (${fmt(m.longestTaskMs, 0)} ms)`,
        `${fmt(m.busyShare * 100, 0)} %`,
        `${fmt(m.latencyP50Ms)} ms`,
        `${fmt(m.latencyP99Ms)} ms (${fmt(inFrames(m.latencyP99Ms, m))} fr)`,
        frameTime(m.frameWorkFirstTenthMs),
        frameTime(m.frameWorkLastTenthMs),
      ])
    }
    out.push(`### ${rateName(rate)}, ${fmt(options.tokens, 0)} tokens`, '')
    out.push(
      table(
        [
          'renderer',
          'delivered tokens/s',
          'frames/s',
          'commits/frame',
          '2+ commits',
          'long tasks (longest)',
          'busy',
          'chunk → paint p50',
          'p99',
          'frame time, first tenth',
          'last tenth',
        ],
        rows,
      ),
      '',
    )
  }
  out.push(
    'As fast as possible, the whole answer arrives at once: chunk → paint there is how long the page takes to',
    'show all of it, so the two-frame budget applies at 1,000 tokens/s.',
    '',
    '### Bundle size (esbuild, minified; react external; lazy chunks included)',
    '',
    table(
      ['renderer', 'minified', 'gzip', 'brotli'],
      sizes.map((s) => [s.name, fmt(s.minified, 0), fmt(s.gzip, 0), fmt(s.brotli, 0)]),
    ),
    '',
    '`@rivulet/markdown` loads the highlighter an app passes as `highlight` lazily; the Shiki row is what',
    'that chunk weighs with the answer’s two languages. `@streamdown/code` bundles every Shiki language',
    'as lazy chunks. react-markdown has no highlighter of its own (rehype plugins add one).',
  )

  for (const name of CONTENDERS) {
    for (const rate of RATES) {
      const m = get(name, rate)
      budgets.push([
        `markdown: ${name} ≤ 1 commit per frame, ${rateName(rate)}`,
        m ? `${fmt(m.commitsPerFrame, 2)} commits/frame` : 'not measured',
        m !== undefined && m.commitsPerFrame <= 1,
      ])
    }
    const m = get(name, 1000)
    budgets.push(
      [
        `markdown: ${name} chunk → paint p99 ≤ 2 frames, 1,000 tokens/s`,
        m
          ? `${fmt(m.latencyP99Ms)} ms (${fmt(inFrames(m.latencyP99Ms, m))} frames of ${fmt(m.frameMs)} ms)`
          : 'not measured',
        m !== undefined && m.latencyP99Ms <= 2 * m.frameMs,
      ],
      [
        `markdown: ${name}, no long task at 1,000 tokens/s`,
        m ? (m.longTasks === 0 ? 'none' : `${m.longTasks} (longest ${fmt(m.longestTaskMs, 0)} ms)`) : 'not measured',
        m !== undefined && m.longTasks === 0,
      ],
      [
        `markdown: ${name}, per-frame time flat (last tenth vs first), 1,000 tokens/s`,
        m ? `${frameTime(m.frameWorkFirstTenthMs)} → ${frameTime(m.frameWorkLastTenthMs)}` : 'not measured',
        m !== undefined && flat(m),
      ],
    )
  }
  out.push(
    '',
    '### Markdown budgets (shown, not asserted)',
    '',
    table(
      ['budget', 'measured', 'result'],
      budgets.map(([name, value, pass]) => [name, value, pass ? 'pass' : 'MISS']),
    ),
  )
  return { markdown: out.join('\n').trimEnd(), budgets }
}
