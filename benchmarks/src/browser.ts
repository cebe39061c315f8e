/**
 * The browser side of `pnpm bench`: builds the React benchmark page (react-page/) with Vite,
 * and measures CPU use while Chromium runs it; `@rivulet/browser-harness` serves and launches.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { Browser } from '@rivulet/browser-harness'
import react from '@vitejs/plugin-react'
import { build, defaultClientConditions, type Plugin } from 'vite'

export interface CpuSnapshot {
  at: number
  /** The machine's busy and total CPU time (Linux /proc/stat), in clock ticks. */
  busyTicks: number
  totalTicks: number
  /** CPU seconds used by every Chromium process, and by this process. */
  ownSeconds: number
}

/**
 * Snapshots of CPU use, to tell what other processes on a shared machine took while the
 * browser worked: Chromium's own CPU time comes from CDP (`SystemInfo.getProcessInfo`), the
 * machine's from Linux's /proc/stat. The probe answers undefined where there is no /proc/stat.
 */
export async function cpuProbe(browser: Browser): Promise<() => Promise<CpuSnapshot | undefined>> {
  const cdp = await browser.newBrowserCDPSession()
  return async () => {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ cpuTime: number }> }
    let stat: string
    try {
      stat = readFileSync('/proc/stat', 'utf8')
    } catch {
      return undefined
    }
    // cpu  user nice system idle iowait irq softirq steal …
    const [user, nice, system, idle, iowait, irq, softirq, steal] = (stat.split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number) as number[]
    const busyTicks = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)
    const { user: nodeUser, system: nodeSystem } = process.cpuUsage()
    return {
      at: performance.now(),
      busyTicks,
      totalTicks: busyTicks + (idle ?? 0) + (iowait ?? 0),
      ownSeconds: processInfo.reduce((sum, p) => sum + p.cpuTime, 0) + (nodeUser + nodeSystem) / 1e6,
    }
  }
}

/** CPUs' worth of time that processes other than Chromium and this one used between two snapshots. */
export function othersCpus(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined): number | undefined {
  if (!before || !after || after.totalTicks <= before.totalTicks || after.at <= before.at) return undefined
  const machine = ((after.busyTicks - before.busyTicks) / (after.totalTicks - before.totalTicks)) * cpus().length
  const own = (after.ownSeconds - before.ownSeconds) / ((after.at - before.at) / 1000)
  return Math.max(0, machine - own)
}

const pageRoot = fileURLToPath(new URL('../react-page/', import.meta.url))

/** MSW's worker script, served beside the page, straight from the installed `msw`. */
function mswWorker(): Plugin {
  return {
    name: 'msw-worker',
    generateBundle() {
      const source = readFileSync(createRequire(import.meta.url).resolve('msw/mockServiceWorker.js'), 'utf8')
      this.emitFile({ type: 'asset', fileName: 'mockServiceWorker.js', source })
    },
  }
}

/**
 * A production build of the page, with React's profiling build (a plain production build
 * never calls `<Profiler onRender>`). Workspace packages come from their TypeScript sources.
 */
export async function buildPage(outDir: string): Promise<void> {
  await build({
    root: pageRoot,
    configFile: false,
    logLevel: 'warn',
    plugins: [react(), mswWorker()],
    resolve: {
      conditions: ['@rivulet/source', ...defaultClientConditions],
      alias: [{ find: /^react-dom\/client$/, replacement: 'react-dom/profiling' }],
      dedupe: ['react', 'react-dom'],
    },
    // One page of React, msw and the AI SDK: large, and fine so.
    build: { outDir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
  })
}
