/**
 * React rendering in real Chromium: the page in react-page/ streams one answer through one
 * contender (`useStreamingChat` + `<StreamingMessage>`, `@ai-sdk/react` `useChat`, or a naive
 * `useState` per token), all fed the same tokens at the same pace and chunking by
 * `@rivulet/msw` in a Service Worker, and measures what the user's main thread went through.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from '@rivulet/browser-harness'
import { CHROMIUM_PATH, hasChromium, launchChromium, serveStatic } from '@rivulet/browser-harness'
import type { BenchWindow, ContenderName, PageResult } from '../react-page/src/protocol.js'
import { buildPage, type CpuSnapshot, cpuProbe, othersCpus } from './browser.js'
import { fmt, median, table } from './harness.js'

export interface ReactResult {
  markdown: string
  budgets: Array<[string, string, boolean]>
}

export interface Measured extends PageResult {
  /** Main-thread task time over wall time, from Chromium's own metrics (CDP Performance.getMetrics). */
  busyShare: number
  /** Main-thread layout time (CDP `LayoutDuration`) over wall time. */
  layoutShare: number
  /** CPUs' worth of time other processes on the machine used meanwhile (Linux only). */
  othersCpus: number | undefined
}

const CONTENDERS: readonly ContenderName[] = ['rivulet', 'rivulet-typing', 'aisdk', 'aisdk-throttle', 'naive']

/** Tokens per second; 0 is as fast as the mock can produce and the page can take. */
const RATES = [100, 1000, 0] as const
export const rateName = (rate: number) => (rate === 0 ? 'as fast as possible' : `${fmt(rate, 0)} tokens/s`)

/** At 100 tokens/s the answer is cut to a tenth, so each paced stream lasts about as long (10 s at full size). */
const tokensAt = (rate: number, tokens: number) => (rate === 100 ? Math.max(1, Math.round(tokens / 10)) : tokens)
/** The paced streams are long and steady; the short burst is run three times and the medians kept. */
const repeatsAt = (rate: number) => (rate === 0 ? 3 : 1)

/** React rendering in real Chromium: see react-page/. */
export async function reactBenchmarks(options: { tokens: number }): Promise<ReactResult> {
  const loadAtStart = loadavg()[0] ?? 0
  const { results, failures } = await streamInChromium(CONTENDERS, RATES, (rate) => ({
    tokens: tokensAt(rate, options.tokens),
    repeats: repeatsAt(rate),
  }))
  return report(results, failures, options.tokens, loadAtStart)
}

/** Every stream's figures, by `${contender}@${rate}`, and why any stream could not be measured. */
export interface Streamed {
  results: Map<string, Measured[]>
  failures: Map<string, string>
}

/**
 * Streams each contender at each rate in one Chromium, a fresh page per stream, the order
 * rotating each turn so no contender always runs first or right after a heavy one.
 */
export async function streamInChromium(
  contenders: readonly ContenderName[],
  rates: readonly number[],
  plan: (rate: number) => { tokens: number; repeats: number },
): Promise<Streamed> {
  if (!hasChromium())
    throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`)
  const outDir = mkdtempSync(join(tmpdir(), 'rivulet-react-bench-'))
  try {
    await buildPage(outDir)
    const server = await serveStatic(outDir)
    const browser = await launchChromium()
    try {
      const probe = await cpuProbe(browser)
      const results = new Map<string, Measured[]>()
      const failures = new Map<string, string>()
      let turn = 0
      for (const rate of rates) {
        const { tokens, repeats } = plan(rate)
        for (let repeat = 0; repeat < repeats; repeat++) {
          const order = contenders.map((_, i) => contenders[(i + turn) % contenders.length] as ContenderName)
          turn++
          for (const name of order) {
            const key = `${name}@${rate}`
            if (failures.has(key)) continue
            process.stderr.write(`  react: ${name} at ${rateName(rate)}…\n`)
            try {
              const result = await measure(browser, probe, server.url, name, rate, tokens)
              results.set(key, [...(results.get(key) ?? []), result])
            } catch (error) {
              failures.set(key, error instanceof Error ? error.message.split('\n')[0]! : String(error))
            }
          }
        }
      }
      return { results, failures }
    } finally {
      await browser.close()
      await server.close()
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

/** One stream in a fresh browser context (its own Service Worker and caches). */
async function measure(
  browser: Browser,
  probe: () => Promise<CpuSnapshot | undefined>,
  url: string,
  contender: ContenderName,
  rate: number,
  tokens: number,
): Promise<Measured> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  try {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    await page.goto(`${url}/?${new URLSearchParams({ contender, tps: String(rate), tokens: String(tokens) })}`)
    try {
      await page.evaluate(() => (window as BenchWindow).__bench?.ready)
      const cdp = await context.newCDPSession(page)
      await cdp.send('Performance.enable')
      const metrics = async () => {
        const { metrics } = await cdp.send('Performance.getMetrics')
        return Object.fromEntries(metrics.map((m) => [m.name, m.value])) as Record<string, number>
      }
      const before = await metrics()
      const cpuBefore = await probe()
      const result = await page.evaluate(() => {
        const bench = (window as BenchWindow).__bench
        if (!bench) throw new Error('the page did not load')
        return bench.run()
      })
      const others = othersCpus(cpuBefore, await probe())
      const after = await metrics()
      const task = (after.TaskDuration ?? 0) - (before.TaskDuration ?? 0)
      const wall = (after.Timestamp ?? 0) - (before.Timestamp ?? 0)
      if (!result.textMatches) throw new Error('the page showed different text than was streamed')
      return {
        ...result,
        busyShare: wall > 0 ? task / wall : 0,
        layoutShare: wall > 0 ? ((after.LayoutDuration ?? 0) - (before.LayoutDuration ?? 0)) / wall : 0,
        othersCpus: others,
      }
    } catch (error) {
      if (errors.length > 0 && error instanceof Error) error.message += ` (page errors: ${errors.join('; ')})`
      throw error
    }
  } finally {
    await context.close()
  }
}

/** One stream's figures, as the report gives them. */
export interface Figures {
  deliveredPerSecond: number
  commitsPerSecond: number
  framesPerSecond: number
  commitsPerFrame: number
  framesWithSeveralCommits: number
  longTasks: number
  longestTaskMs: number
  busyShare: number
  layoutShare: number
  othersCpus: number | undefined
  latencyP50Ms: number
  latencyP99Ms: number
  /** The idle frame interval: what "a frame" is for the latency budget. */
  frameMs: number
  frameWorkFirstTenthMs: number
  frameWorkLastTenthMs: number
}

function figures(m: Measured): Figures {
  const perSecond = (count: number) => (m.durationMs > 0 ? (count * 1000) / m.durationMs : 0)
  return {
    deliveredPerSecond: m.deliveredPerSecond,
    commitsPerSecond: perSecond(m.commits),
    framesPerSecond: m.framesPerSecond,
    commitsPerFrame: m.commits / Math.max(1, m.frames),
    framesWithSeveralCommits: m.framesWithSeveralCommits,
    longTasks: m.longTasks,
    longestTaskMs: m.longestTaskMs,
    busyShare: m.busyShare,
    layoutShare: m.layoutShare,
    othersCpus: m.othersCpus,
    latencyP50Ms: m.latencyP50Ms,
    latencyP99Ms: m.latencyP99Ms,
    frameMs: m.idleFrameMs,
    frameWorkFirstTenthMs: m.frameWorkFirstTenthMs,
    frameWorkLastTenthMs: m.frameWorkLastTenthMs,
  }
}

/** Several runs of one contender at one rate: the median of each figure, except long tasks: the worst run's. */
export function combine(runs: readonly Measured[]): Figures {
  const all = runs.map(figures)
  const mid = (pick: (f: Figures) => number) => median(all.map(pick))
  // Frame times are NaN for a run with no frame in that tenth of the answer.
  const midFinite = (pick: (f: Figures) => number) => {
    const finite = all.map(pick).filter(Number.isFinite)
    return finite.length > 0 ? median(finite) : Number.NaN
  }
  return {
    deliveredPerSecond: mid((f) => f.deliveredPerSecond),
    commitsPerSecond: mid((f) => f.commitsPerSecond),
    framesPerSecond: mid((f) => f.framesPerSecond),
    commitsPerFrame: mid((f) => f.commitsPerFrame),
    framesWithSeveralCommits: mid((f) => f.framesWithSeveralCommits),
    longTasks: Math.max(...all.map((f) => f.longTasks)),
    longestTaskMs: Math.max(...all.map((f) => f.longestTaskMs)),
    busyShare: mid((f) => f.busyShare),
    layoutShare: mid((f) => f.layoutShare),
    othersCpus: all.some((f) => f.othersCpus === undefined) ? undefined : mid((f) => f.othersCpus ?? 0),
    latencyP50Ms: mid((f) => f.latencyP50Ms),
    latencyP99Ms: mid((f) => f.latencyP99Ms),
    frameMs: mid((f) => f.frameMs),
    frameWorkFirstTenthMs: midFinite((f) => f.frameWorkFirstTenthMs),
    frameWorkLastTenthMs: midFinite((f) => f.frameWorkLastTenthMs),
  }
}

export const inFrames = (ms: number, f: Figures) => ms / f.frameMs

function report(
  results: Map<string, Measured[]>,
  failures: Map<string, string>,
  tokens: number,
  loadAtStart: number,
): ReactResult {
  const out: string[] = []
  const budgets: Array<[string, string, boolean]> = []
  const get = (name: ContenderName, rate: number) => {
    const runs = results.get(`${name}@${rate}`)
    return runs ? combine(runs) : undefined
  }

  const load = `${fmt(loadAtStart, 2)} when the section started, ${fmt(loadavg()[0] ?? 0, 2)} when it ended`
  out.push(
    `Each contender renders a ${fmt(tokens, 0)}-token answer (${fmt(tokensAt(100, tokens), 0)} at 100 tokens/s, so that`,
    'stream lasts as long as the one at 1,000) in a production React build (profiling) in headless',
    'Chromium, one fresh page per stream. The same tokens and chunking (1 B – 4 KiB reads) come from',
    "`@rivulet/msw` in the page's Service Worker: OpenAI Chat Completions for Rivulet and the naive",
    'version, the AI SDK UI message stream for `useChat`. The page paces the mocked body on the wall',
    'clock: the mock paces with a `setTimeout` per token, which a browser clamps to 4 ms once chained',
    '(about 250 tokens/s at most). "As fast as possible" hands over the whole answer at once. Paced',
    'streams run once each, the burst three times (medians; long tasks: the worst run). One-minute load',
    `average: ${load}, on ${cpus().length} CPUs.`,
    '',
    '- rivulet: `useStreamingChat` + `<StreamingMessage animate={false}>`; rivulet-typing: the same with',
    '  the typing effect (its default), which trails arrivals on purpose to even out bursts (≤ 300 ms).',
    '- aisdk: `@ai-sdk/react` `useChat` with `DefaultChatTransport`; aisdk-throttle: with',
    '  `experimental_throttle: 50`.',
    '- naive: `fetch` + `decode` from `@rivulet/core`, `setText((t) => t + delta)` per token.',
    '',
    '**commits/s**: `<Profiler onRender>` calls from the first token in to the last token in the DOM.',
    '**frames/s**: frames painted meanwhile (one `requestAnimationFrame` each). **commits/frame**: commits',
    'over those frames; **2+ commits**: frames in which React committed more than once. **long tasks**:',
    "`longtask` entries (> 50 ms) in that time. **busy**: Chromium's main-thread `TaskDuration` over wall",
    'time (CDP `Performance.getMetrics`), request to last paint; **layout**: the share of it spent in layout.',
    "**other CPU**: CPUs that other processes on the machine kept busy meanwhile (/proc/stat less Chromium's",
    "and the runner's own CPU time): on a",
    'shared machine, what the browser may have lost. **chunk → paint**: per token, from its last byte',
    'leaving the mock to the end of the paint of the first frame laid out after the DOM showed it (a',
    'ResizeObserver marks each layout, a task posted from it the end of the paint); a frame (fr) is the',
    'idle frame interval measured before each stream.',
    '',
  )

  for (const rate of RATES) {
    const rows: (string | number)[][] = []
    for (const name of CONTENDERS) {
      const m = get(name, rate)
      if (!m) {
        rows.push([name, `not measured: ${failures.get(`${name}@${rate}`) ?? 'no result'}`, ...Array(10).fill('')])
        continue
      }
      rows.push([
        name,
        rate === 0 ? 'all at once' : fmt(m.deliveredPerSecond, 0),
        fmt(m.commitsPerSecond, 0),
        fmt(m.framesPerSecond, 0),
        fmt(m.commitsPerFrame, 2),
        fmt(m.framesWithSeveralCommits, 0),
        m.longTasks === 0 ? '0' : `${m.longTasks} (${fmt(m.longestTaskMs, 0)} ms)`,
        `${fmt(m.busyShare * 100, 0)} %`,
        `${fmt(m.layoutShare * 100, 0)} %`,
        m.othersCpus === undefined ? '–' : fmt(m.othersCpus, 2),
        `${fmt(m.latencyP50Ms)} ms`,
        `${fmt(m.latencyP99Ms)} ms (${fmt(inFrames(m.latencyP99Ms, m))} fr)`,
      ])
    }
    out.push(`### ${rateName(rate)}, ${fmt(tokensAt(rate, tokens), 0)} tokens`, '')
    out.push(
      table(
        [
          'contender',
          'delivered tokens/s',
          'commits/s',
          'frames/s',
          'commits/frame',
          '2+ commits',
          'long tasks (longest)',
          'busy',
          'layout',
          'other CPU',
          'chunk → paint p50',
          'p99',
        ],
        rows,
      ),
      '',
    )
  }
  out.push(
    'As fast as possible, every token arrives in the same instant: chunk → paint there is how long the page takes',
    'to show the whole answer, not a per-chunk delay, so the two-frame budget applies to the paced rates.',
    '',
    'The other contenders show the answer as one growing text node, which Chromium shapes and lays out again in',
    'full at each frame that changes it (`InlineNode::ShapeTextIncludingFirstLine` in a Chromium trace): that',
    'cost grows with the answer, and by the end of a long one it outweighs any script on the page.',
    '`<StreamingMessage>` renders one block per line, so a finished line is never laid out again: compare the',
    '**layout** column.',
  )

  for (const rate of RATES) {
    for (const name of ['rivulet', 'rivulet-typing'] as const) {
      const m = get(name, rate)
      budgets.push([
        `react: ${name} ≤ 1 commit per frame, ${rateName(rate)}`,
        m ? `${fmt(m.commitsPerFrame, 2)} commits/frame` : 'not measured',
        m !== undefined && m.commitsPerFrame <= 1,
      ])
    }
  }
  for (const rate of RATES.filter((rate) => rate > 0)) {
    const m = get('rivulet', rate)
    budgets.push([
      `react: rivulet chunk → paint p99 ≤ 2 frames, ${rateName(rate)}`,
      m
        ? `${fmt(m.latencyP99Ms)} ms (${fmt(inFrames(m.latencyP99Ms, m))} frames of ${fmt(m.frameMs)} ms)`
        : 'not measured',
      m !== undefined && m.latencyP99Ms <= 2 * m.frameMs,
    ])
  }
  for (const name of ['rivulet', 'rivulet-typing'] as const) {
    const m = get(name, 1000)
    budgets.push([
      `react: ${name}, no long task at 1,000 tokens/s`,
      m ? (m.longTasks === 0 ? 'none' : `${m.longTasks} (longest ${fmt(m.longestTaskMs, 0)} ms)`) : 'not measured',
      m !== undefined && m.longTasks === 0,
    ])
  }
  return { markdown: out.join('\n').trimEnd(), budgets }
}
