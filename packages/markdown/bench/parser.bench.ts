// Parser figures for the README: speed on a 10,000-token answer (whole and streamed), the
// 12 pathological inputs (markdown-it and <Markdown> against micromark, each in a child process that is
// stopped after a time limit), and the minified + gzipped size of what an app bundles. Run: pnpm --filter
// @rivulet/markdown bench

import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { createBlockSplitter } from '../src/blocks.js'
import { parseBlock } from '../src/parse-block.js'
import { markdownParser } from '../src/parser.js'
import { pathologicalInputs } from '../src/pathological.js'
import { repairGrowingBlock } from '../src/repair.js'
import { markdownAnswer } from './answer.js'

const md = markdownParser()
const ms = (start: number) => performance.now() - start

function best(run: () => void, times = 7): number {
  let min = Number.POSITIVE_INFINITY
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    run()
    min = Math.min(min, ms(start))
  }
  return min
}

const answer = markdownAnswer(10_000)
console.log(`\n## A 10,000-token answer (${(answer.length / 1000).toFixed(1)} KB)\n`)
console.log(`markdown-it (this package's config), whole text: ${best(() => md.parse(answer, {})).toFixed(1)} ms`)
console.log(
  `micromark + GFM (to HTML), whole text: ${best(() => micromark(answer, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })).toFixed(1)} ms`,
)

// Streamed at 10 tokens (40 characters) per frame: the work Markdown does per frame (split,
// repair and parse the growing block) against re-parsing the whole text each frame.
const frames: number[] = []
const split = createBlockSplitter(md)
const defs = { references: {}, footnotes: new Set<string>() }
for (let end = 40; end < answer.length + 40; end += 40) {
  const text = answer.slice(0, end)
  const start = performance.now()
  const { blocks } = split.update(text)
  const last = blocks.at(-1)
  if (last) parseBlock(md, repairGrowingBlock(md, last.source), defs)
  frames.push(ms(start))
}
const tenth = Math.max(1, Math.floor(frames.length / 10))
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
const sorted = [...frames].sort((a, b) => a - b)
console.log(
  `streamed in ${frames.length} frames: Markdown's work per frame mean ${mean(frames).toFixed(3)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]!.toFixed(3)} ms; first tenth ${mean(frames.slice(0, tenth)).toFixed(3)} ms, last tenth ${mean(frames.slice(-tenth)).toFixed(3)} ms`,
)
let whole = 0
for (let end = 40; end < answer.length + 40; end += 40 * 10) {
  const start = performance.now()
  md.parse(answer.slice(0, end), {})
  whole += ms(start) * 10
}
console.log(
  `re-parsing the whole text every frame instead (markdown-it): ${(whole / frames.length).toFixed(3)} ms per frame on average`,
)

console.log('\n## Pathological inputs (~200 KB each)\n')
console.log(
  '| input | markdown-it (this config) | `<Markdown>` render | `<Markdown streaming>` render | micromark + GFM |\n|---|--:|--:|--:|--:|',
)
const tsx = createRequire(import.meta.url).resolve('tsx')
const worker = (
  name: string,
  which: 'markdown-it' | 'Markdown' | 'Markdown streaming' | 'micromark',
  limitMs: number,
) =>
  new Promise<string>((resolve) => {
    const file = new URL('./pathological-child.ts', import.meta.url).pathname
    execFile(process.execPath, ['--import', tsx, file, name, which], { timeout: limitMs }, (error, stdout) => {
      if (error?.killed) resolve(`> ${limitMs / 1000} s (stopped)`)
      else
        resolve(
          stdout.trim() ||
            `fails: ${
              String(error?.message)
                .split('\n')
                .find((l) => /Error/.test(l)) ?? ''
            }`,
        )
    })
  })
for (const name of Object.keys(pathologicalInputs())) {
  const ours = await worker(name, 'markdown-it', 20_000)
  const rendered = await worker(name, 'Markdown', 20_000)
  const streamed = await worker(name, 'Markdown streaming', 20_000)
  const theirs = await worker(name, 'micromark', 20_000)
  console.log(`| ${name} | ${ours} | ${rendered} | ${streamed} | ${theirs} |`)
}

console.log('\n## Size (minified + gzip, react external)\n')
const root = new URL('../', import.meta.url).pathname
async function size(code: string): Promise<string> {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    conditions: ['@rivulet/source'],
    external: ['react', 'react-dom', 'react/jsx-runtime'],
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  const bytes = result.outputFiles[0]!.contents
  return `${(bytes.length / 1000).toFixed(1)} kB min, ${(gzipSync(bytes, { level: 9 }).length / 1000).toFixed(1)} kB gzip`
}
console.log(`@rivulet/markdown (Markdown): ${await size(`export { Markdown } from '@rivulet/markdown'`)}`)
console.log(
  `markdown-it + markdown-it-footnote alone: ${await size(`import m from 'markdown-it'; import f from 'markdown-it-footnote'; export default m().use(f)`)}`,
)
console.log(
  `micromark + GFM (to HTML) alone: ${await size(`export { micromark } from 'micromark'; export { gfm, gfmHtml } from 'micromark-extension-gfm'`)}`,
)
