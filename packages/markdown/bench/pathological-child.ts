// Parses (or renders with <Markdown>) one pathological input in its own process, so the bench can
// stop a parser that does not finish.
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { Markdown } from '../src/markdown.js'
import { markdownParser } from '../src/parser.js'
import { pathologicalInputs } from '../src/pathological.js'

const [name = '', which = 'markdown-it'] = process.argv.slice(2)
const text = pathologicalInputs()[name]!
const start = performance.now()
const cpu = process.cpuUsage()
// CPU time too: on a shared machine the wall clock also counts other processes' turns.
const took = () => {
  const { user, system } = process.cpuUsage(cpu)
  return `${(performance.now() - start).toFixed(0)} ms (${((user + system) / 1000).toFixed(0)} ms CPU)`
}
try {
  if (which === 'markdown-it') markdownParser().parse(text, {})
  else if (which === 'Markdown') renderToStaticMarkup(createElement(Markdown, { text }))
  else if (which === 'Markdown streaming') renderToStaticMarkup(createElement(Markdown, { text, streaming: true }))
  else micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })
  console.log(took())
} catch (error) {
  console.log(`throws ${(error as Error).name} after ${took()}`)
}
