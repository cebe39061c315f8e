// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { Markdown } from './markdown.js'

afterEach(cleanup)

const word = fc.constantFrom('alpha', 'beta', 'snake_case_name', '2 * 3', 'x', 'مرحبا', 'done.')
const code = fc.constantFrom('npm test', 'a ** b', 'x_y', '[a](b)')
const inline = fc.oneof(
  { weight: 4, arbitrary: word },
  word.map((w) => `**${w}**`),
  word.map((w) => `_${w}_`),
  word.map((w) => `~~${w}~~`),
  code.map((c) => `\`${c}\``),
  word.map((w) => `[${w}](https://example.com/${w.length})`),
  word.map((w) => `[${w}][ref]`),
  fc.constantFrom('[^1]', '[^note]', 'www.example.com', 'me@example.com', 'a\\*b'),
)
const line = fc.array(inline, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(' '))
const paragraph = fc.array(line, { minLength: 1, maxLength: 2 }).map((lines) => lines.join('\n'))
const heading = fc
  .tuple(fc.integer({ min: 1, max: 3 }), line, fc.boolean())
  .map(([level, text, setext]) => (setext ? `${text}\n${level === 1 ? '===' : '---'}` : `${'#'.repeat(level)} ${text}`))
const list = fc
  .tuple(
    fc.array(fc.tuple(line, fc.option(line, { nil: undefined })), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('-', '*', '1.'),
    fc.boolean(),
  )
  .map(([items, marker, loose]) =>
    items
      .map(([text, nested], i) => {
        const bullet = marker === '1.' ? `${i + 1}.` : marker
        const pad = ' '.repeat(bullet.length + 1)
        return `${bullet} ${text}${nested ? `\n${pad}- ${nested}` : ''}`
      })
      .join(loose ? '\n\n' : '\n'),
  )
const fence = fc
  .tuple(fc.constantFrom('ts', 'py', ''), fc.array(code, { minLength: 1, maxLength: 3 }))
  .map(([lang, lines]) => `\`\`\`${lang}\n${lines.join('\n')}\n\`\`\``)
const table = fc
  .tuple(fc.array(word, { minLength: 1, maxLength: 3 }), fc.array(inline, { minLength: 1, maxLength: 3 }))
  .map(([header, cells]) => {
    const row = (values: string[]) => `| ${header.map((_, i) => values[i % values.length]).join(' | ')} |`
    return `${row(header)}\n|${header.map(() => ':--').join('|')}|\n${row(cells)}`
  })
const block = fc.oneof(
  { weight: 3, arbitrary: paragraph },
  heading,
  list,
  fence,
  table,
  line.map((text) => `> ${text}`),
  // A footnote definition comes with a reference to it (an unreferenced one never shows).
  fc.tuple(line, line).map(([text, note]) => `${text}[^1]\n\n[^1]: ${note}`),
  fc.constant('[ref]: https://example.com/ref'),
  fc.constant('---'),
)
const answer = fc.array(block, { minLength: 1, maxLength: 5 }).map((blocks) => blocks.join('\n\n'))

/** An answer and where its stream is cut into deltas. */
const streamed = answer.chain((text) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, text.length - 1) }), { maxLength: 24 })
    .map((cuts) => ({ text, cuts: [...cuts].sort((a, b) => a - b) })),
)

/**
 * The DOM as a string with attributes sorted (React may set them in another order when a block is
 * updated rather than created) and the answer's id prefix (from useId) the same for every answer.
 */
function markup(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? ''
  if (!(node instanceof Element)) return ''
  const attributes = [...node.attributes]
    .map(({ name, value }) => `${name}="${value.replace(/^(#?)md\w+-/, '$1md-')}"`)
    .sort()
  return `<${node.localName}${attributes.map((a) => ` ${a}`).join('')}>${[...node.childNodes].map(markup).join('')}</${node.localName}>`
}

const MARKERS = ['*', '_', '~', '`', '[', ']', '|', '#', '>']

/** Visible text outside code: where a raw marker would be a flash of syntax. */
function proseText(root: HTMLElement): string {
  const clone = root.cloneNode(true) as HTMLElement
  for (const element of clone.querySelectorAll('pre, code, button')) element.remove()
  return clone.textContent ?? ''
}

const count = (text: string, marker: string) => text.split(marker).length - 1

describe('streamed markdown (property)', () => {
  it('renders, for any answer and any split into deltas, what the whole text renders, and no prefix shows a marker the final render does not', () => {
    fc.assert(
      fc.property(streamed, ({ text, cuts }) => {
        const whole = render(<Markdown text={text} />).container
        const final = proseText(whole)
        const { container, rerender } = render(<Markdown text="" streaming />)
        for (const cut of [...cuts, text.length]) {
          const prefix = text.slice(0, cut)
          rerender(<Markdown text={prefix} streaming />)
          const shown = proseText(container)
          for (const marker of MARKERS) {
            if (count(shown, marker) > count(final, marker)) {
              throw new Error(
                `${JSON.stringify(prefix)} shows ${JSON.stringify(shown)}: more ${marker} than the final ${JSON.stringify(final)}`,
              )
            }
          }
        }
        rerender(<Markdown text={text} />)
        expect(markup(container)).toBe(markup(whole))
        cleanup()
      }),
      { numRuns: 150 },
    )
  }, 60_000)
})
