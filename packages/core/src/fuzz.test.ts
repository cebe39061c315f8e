import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { type FuzzCase, fuzzCases, PROTOCOLS } from './testing/fuzz.js'

/** Change the seed to explore; a failure names its case, which replays from the same seed. */
const SEED = 11
const CASES_PER_PROTOCOL = 200
/** A case takes a few milliseconds; far past that it is a freeze (a sparse array walked in full). */
const CASE_DEADLINE_MS = 2000

interface Failure {
  case: string
  problems: string[]
  body: string
}

/** One worker thread running cases in turn; replaced when a case overruns its deadline. */
class CaseRunner {
  private worker: Promise<Worker> | undefined

  private start(): Promise<Worker> {
    // The main thread's stack (about 1 MB), not a worker's default 4 MB: JSON nested 5,000 deep
    // must overflow a recursive walk here as it does where decode usually runs.
    const worker = new Worker(new URL('./testing/fuzz-worker.mjs', import.meta.url), {
      resourceLimits: { stackSizeMb: 1 },
    })
    return new Promise((resolve, reject) => {
      worker.once('message', () => resolve(worker))
      worker.once('error', reject)
    })
  }

  async run(fuzz: FuzzCase): Promise<string[]> {
    this.worker ??= this.start()
    const worker = await this.worker
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<string[]>((resolve) => {
      timer = setTimeout(() => resolve([`no result within ${CASE_DEADLINE_MS} ms: the thread froze`]), CASE_DEADLINE_MS)
    })
    const done = new Promise<string[]>((resolve) => worker.once('message', resolve))
    worker.postMessage(fuzz)
    const problems = await Promise.race([done, deadline])
    clearTimeout(timer)
    if (problems[0]?.startsWith('no result within')) {
      // A frozen thread does not stop until its loop ends; it must not keep the tests alive.
      worker.unref()
      void worker.terminate()
      this.worker = undefined
    }
    return problems
  }

  async close(): Promise<void> {
    const worker = await this.worker
    await worker?.terminate()
  }
}

const runner = new CaseRunner()
afterAll(() => runner.close())

describe('decode under fuzzing (seeded, mutated streams)', () => {
  it.each(PROTOCOLS)(
    '%s: typed ends, well-formed parts, alike under any chunking, lenient extends strict',
    async (protocol) => {
      const failures: Failure[] = []
      for (const [index, fuzz] of fuzzCases(protocol, SEED, CASES_PER_PROTOCOL).entries()) {
        const problems = await runner.run(fuzz)
        if (problems.length > 0) {
          const body = fuzz.body.length > 400 ? `${fuzz.body.slice(0, 400)}… (${fuzz.body.length} chars)` : fuzz.body
          failures.push({ case: `#${index} ${fuzz.origin}`, problems, body })
        }
      }
      expect(failures).toEqual([])
    },
    60_000,
  )
})
