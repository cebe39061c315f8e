// @vitest-environment jsdom
import { createRequire } from 'node:module'
import markdownit from 'markdown-it'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Markdown } from './markdown.js'

interface SpecExample {
  markdown: string
  html: string
  section: string
  number: number
}
const spec = createRequire(import.meta.url)('commonmark-spec') as { tests: SpecExample[] }
// The spec writes tabs as → (its own test runner puts them back).
const tests = spec.tests.map((t) => ({
  ...t,
  markdown: t.markdown.replace(/→/g, '\t'),
  html: t.html.replace(/→/g, '\t'),
}))

/** Spec HTML and ours compared as DOM, ignoring what Rivulet adds (ids, rel, wrappers, copy buttons). */
function normalize(html: string): string {
  const root = document.createElement('div')
  root.innerHTML = html
  for (const wrapper of root.querySelectorAll('[data-rivulet="code-block"]')) wrapper.replaceWith(...wrapper.childNodes)
  for (const button of root.querySelectorAll('button, section[data-footnotes]')) button.remove()
  for (const element of root.querySelectorAll('*')) {
    for (const { name } of [...element.attributes]) {
      if (!['href', 'src', 'alt', 'title', 'start', 'class', 'type', 'checked', 'disabled'].includes(name)) {
        element.removeAttribute(name)
      }
    }
  }
  const inner = root.querySelector('[data-rivulet="markdown"]') ?? root.firstElementChild?.parentElement ?? root
  // As commonmark.js's own test normalizer: whitespace around block tags and <br> is not content.
  return inner.innerHTML
    .replace(/\s*(<\/?(?:ul|ol|li|p|blockquote|pre|h[1-6]|hr|table|thead|tbody|tr|th|td|br)\b[^>]*>)\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
}

const ours = (markdown: string) => {
  const html = renderToStaticMarkup(<Markdown text={markdown} allowImage={() => true} />)
  const root = document.createElement('div')
  root.innerHTML = html
  return normalize(root.firstElementChild!.innerHTML)
}

/** Passes measured with these versions; the floor keeps them from regressing unnoticed. */
const PARSER_FLOOR = 652
const RENDERER_FLOOR = 550

describe('CommonMark spec 0.31.2 examples', () => {
  it(`markdown-it (commonmark preset) passes at least ${PARSER_FLOOR} of them`, () => {
    const md = markdownit('commonmark')
    const passed = tests.filter((t) => normalize(md.render(t.markdown)) === normalize(t.html))
    console.info(`markdown-it: ${passed.length}/${tests.length} CommonMark examples`)
    expect(passed.length).toBeGreaterThanOrEqual(PARSER_FLOOR)
  }, 60_000)

  it(`<Markdown> renders at least ${RENDERER_FLOOR} of them as the spec does (raw HTML stays text by design)`, () => {
    const failed: SpecExample[] = []
    const passed = tests.filter((t) => {
      const ok = ours(t.markdown) === normalize(t.html)
      if (!ok) failed.push(t)
      return ok
    })
    const bySection = new Map<string, number>()
    for (const t of failed) bySection.set(t.section, (bySection.get(t.section) ?? 0) + 1)
    console.info(
      `<Markdown>: ${passed.length}/${tests.length}; failures by section:`,
      JSON.stringify(Object.fromEntries(bySection)),
    )
    expect(passed.length).toBeGreaterThanOrEqual(RENDERER_FLOOR)
  }, 60_000)
})
