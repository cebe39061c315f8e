// @vitest-environment node
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Markdown } from './markdown.js'
import { MAX_NESTING } from './parser.js'
import { pathologicalInputs } from './pathological.js'

/** The text a browser would show for static markup (tags dropped, entities decoded). */
function visibleText(html: string): string {
  const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#x27;': "'" }
  return html.replace(/<[^>]*>/g, '').replace(/&(?:lt|gt|amp|quot|#x27);/g, (entity) => entities[entity]!)
}

/** How deep elements nest in static markup. */
function depthOf(html: string): number {
  let depth = 0
  let max = 0
  for (const [, close, name] of html.matchAll(/<(\/?)([a-z0-9]+)[^>]*>/g)) {
    if (/^(?:br|hr|img|input)$/.test(name!)) continue
    depth += close ? -1 : 1
    max = Math.max(max, depth)
  }
  return max
}

const count = (text: string, char: string) => text.split(char).length - 1

/** What each input must still show: its text survives every cap, as text if not as markup. */
const shows: Record<string, (text: string) => void> = {
  'nested brackets': (text) => expect([count(text, '['), count(text, ']')]).toEqual([50_000, 50_000]),
  'unclosed brackets': (text) => expect(count(text, '[')).toBe(50_000),
  'nested emphasis': (text) => expect(count(text, 'a')).toBe(100_000),
  'emphasis markers': (text) =>
    expect([count(text, '*'), count(text, '_'), count(text, 'a')]).toEqual([50_000, 50_000, 1]),
  'unclosed links': (text) => expect([count(text, 'a'), count(text, 'b')]).toEqual([25_000, 25_000]),
  'unclosed link destinations': (text) => expect([count(text, 'a'), count(text, 'b')]).toEqual([25_000, 25_000]),
  'deep blockquotes': (text) => expect(text.trim()).toBe(`${'>'.repeat(50_000 - MAX_NESTING / 2)} a`),
  'deep lists': (text) => expect(count(text, 'a')).toBe(2_000),
  'backtick runs': (text) => expect(count(text, 'a')).toBe(2_000),
  'nested link labels': (text) => expect(count(text, 'a')).toBe(25_000),
  'reference definitions': (text) => expect(count(text, 'a')).toBe(1_000),
  'table columns': (text) => expect([count(text, 'a'), count(text, 'b')]).toEqual([25_000, 25_000]),
}

describe('pathological input', () => {
  it.each(Object.entries(pathologicalInputs()))(
    'renders %s with all its text and a shallow tree',
    (name, text) => {
      expect(text.length).toBeGreaterThan(8_000)
      const html = renderToStaticMarkup(<Markdown text={text} />)
      expect(html.startsWith('<div data-rivulet="markdown">')).toBe(true)
      shows[name]!(visibleText(html))
      // Blocks and inlines each stop nesting at the cap.
      expect(depthOf(html)).toBeLessThanOrEqual(2 * MAX_NESTING + 2)
    },
    30_000,
  )

  it('renders them while streaming too (the growing block is repaired)', () => {
    for (const text of Object.values(pathologicalInputs(5_000))) {
      expect(renderToStaticMarkup(<Markdown text={text} streaming />)).toContain('a')
    }
  }, 60_000)
})
