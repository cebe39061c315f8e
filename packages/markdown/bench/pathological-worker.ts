// Parses one pathological input in a worker, so the bench can stop a parser that does not finish.
import { parentPort, workerData } from 'node:worker_threads'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { markdownParser } from '../src/parser.js'
import { pathologicalInputs } from '../src/pathological.js'

const { name, which } = workerData as { name: string; which: 'markdown-it' | 'micromark' }
const text = pathologicalInputs()[name]!
const start = performance.now()
try {
  if (which === 'markdown-it') markdownParser().parse(text, {})
  else micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })
  parentPort!.postMessage(`${(performance.now() - start).toFixed(0)} ms`)
} catch (error) {
  parentPort!.postMessage(`throws ${(error as Error).name} (${(performance.now() - start).toFixed(0)} ms)`)
}
