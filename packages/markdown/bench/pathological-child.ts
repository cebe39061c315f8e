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
try {
  if (which === 'markdown-it') markdownParser().parse(text, {})
  else if (which === 'Markdown') renderToStaticMarkup(createElement(Markdown, { text }))
  else if (which === 'Markdown streaming') renderToStaticMarkup(createElement(Markdown, { text, streaming: true }))
  else micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })
  console.log(`${(performance.now() - start).toFixed(0)} ms`)
} catch (error) {
  console.log(`throws ${(error as Error).name} (${(performance.now() - start).toFixed(0)} ms)`)
}
