// @vitest-environment node
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Markdown } from './markdown.js'
import { pathologicalInputs } from './pathological.js'

describe('pathological input', () => {
  it.each(Object.entries(pathologicalInputs()))(
    'renders %s without throwing',
    (_, text) => {
      expect(text.length).toBeGreaterThan(8_000)
      const html = renderToStaticMarkup(<Markdown text={text} />)
      expect(html.startsWith('<div data-rivulet="markdown">')).toBe(true)
      // Its text is there (past the nesting cap markdown-it stops opening containers).
      expect(html).toMatch(/>[^<]*a/)
    },
    30_000,
  )

  it('renders them while streaming too (the growing block is repaired)', () => {
    for (const text of Object.values(pathologicalInputs(5_000))) {
      expect(renderToStaticMarkup(<Markdown text={text} streaming />)).toContain('a')
    }
  }, 60_000)
})
