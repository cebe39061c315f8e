// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { type ReactNode, useState } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Markdown } from './markdown.js'
import { MAX_MARKER_RUN, MAX_NESTING, MAX_TABLE_COLUMNS } from './parser.js'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const shown = (text: string, streaming = false) => render(<Markdown text={text} streaming={streaming} />).container

describe('CommonMark + GFM', () => {
  it('renders headings, emphasis, strikethrough, hard breaks and entities', () => {
    const root = shown('## Step by step\n\n**bold** _em_ ~~gone~~ a\\\nb &copy; &#35;')
    expect(root.querySelector('h2')).toHaveTextContent('Step by step')
    expect(root.querySelector('strong')).toHaveTextContent('bold')
    expect(root.querySelector('em')).toHaveTextContent('em')
    expect(root.querySelector('del')).toHaveTextContent('gone')
    expect(root.querySelector('br')).not.toBeNull()
    expect(root.querySelector('p')?.textContent).toContain('b © #')
  })

  it('keeps a list item continuation paragraph in its list and indented code with a blank line in one block', () => {
    const root = shown('1. first\n\n   still first\n2. second\n\n---\n\n    code one\n\n    code two\n')
    const items = root.querySelectorAll('ol > li')
    expect(items).toHaveLength(2)
    expect(items[0]!.querySelectorAll('p')).toHaveLength(2)
    expect(root.querySelectorAll('pre')).toHaveLength(1)
    expect(root.querySelector('pre')).toHaveTextContent('code one code two')
  })

  it('renders tables with alignment', () => {
    const root = shown('| left | center | right |\n|:--|:-:|--:|\n| a | b | c |\n')
    const cells = [...root.querySelectorAll('th')].map((th) => (th as HTMLElement).style.textAlign)
    expect(cells).toEqual(['left', 'center', 'right'])
    expect(root.querySelector('tbody td')).toHaveTextContent('a')
  })

  it('renders task lists as disabled checkboxes, each with an accessible name', () => {
    const root = shown('- [ ] todo\n- [x] done\n')
    const boxes = [...root.querySelectorAll<HTMLInputElement>('input[type=checkbox]')]
    expect(boxes.map((box) => [box.checked, box.disabled, box.getAttribute('aria-label')])).toEqual([
      [false, true, 'Not done'],
      [true, true, 'Done'],
    ])
    expect(root.querySelector('ul')).toHaveTextContent('tododone')
  })

  it('autolinks www., http(s) and email addresses, but not file names', () => {
    const root = shown('See www.example.com, https://a.example/x and me@example.com; edit utils.py.')
    const hrefs = [...root.querySelectorAll('a')].map((a) => a.getAttribute('href'))
    expect(hrefs).toEqual(['http://www.example.com', 'https://a.example/x', 'mailto:me@example.com'])
  })

  it('resolves reference links and footnotes defined anywhere in the answer', () => {
    const root = shown(
      'Read [the docs][docs] first[^why].\n\nMore text.\n\n[docs]: https://docs.example\n[^why]: Because.\n',
    )
    expect(root.querySelector('a[href="https://docs.example"]')).toHaveTextContent('the docs')
    const ref = root.querySelector<HTMLAnchorElement>('a[data-footnote-ref]')!
    expect(ref).toHaveTextContent('1')
    const note = root.querySelector(ref.getAttribute('href')!)
    expect(note).toHaveTextContent('Because.')
    const back = note!.querySelector('a[data-footnote-backref]')!
    expect(root.querySelector(back.getAttribute('href')!)).toBe(ref)
  })

  it('renders blockquotes with lazy continuation', () => {
    const root = shown('> quoted\nlazy line\n\nafter')
    expect(root.querySelector('blockquote')).toHaveTextContent('quoted lazy line')
    expect(root.querySelectorAll('p')).toHaveLength(2)
  })

  it('uses components overrides per element', () => {
    const H2 = ({ children }: { children?: ReactNode }) => <h3 data-custom="">{children}</h3>
    const { container } = render(<Markdown text={'## Title'} components={{ h2: H2 }} />)
    expect(container.querySelector('h3[data-custom]')).toHaveTextContent('Title')
    expect(container.querySelector('h2')).toBeNull()
  })
})

describe('right-to-left text', () => {
  it('gives every block dir="auto", so Arabic and Hebrew blocks run right to left beside English ones', () => {
    const root = shown(
      [
        '## مرحبا بالعالم',
        'This paragraph is English.',
        'هذه فقرة **عربية** مع [رابط](https://example.com).',
        '- פריט ראשון\n- פריט שני',
        '1. أولا',
        '> ציטוט',
        '| عمود | עמודה |\n|---|---|\n| א | ب |',
        '```js\nconst a = 1\n```',
      ].join('\n\n'),
    )
    const auto = [...root.querySelectorAll('h2, p, ul, ol, li, blockquote, table, th, td')]
    expect(auto.length).toBeGreaterThanOrEqual(14)
    for (const element of auto) expect(element).toHaveAttribute('dir', 'auto')
    expect(root.querySelector('h2')).toHaveTextContent('مرحبا بالعالم')
    expect(root.querySelector('strong')).toHaveTextContent('عربية')
    // The direction of each block is its own: the root sets none.
    expect(root.querySelector('[data-rivulet="markdown"]')).not.toHaveAttribute('dir')
    expect(root.querySelector('[data-rivulet="code-block"]')).toHaveAttribute('dir', 'ltr')
  })
})

describe('input caps keep the text', () => {
  it('shows the items of a list nested past the nesting cap, as a paragraph of their text', () => {
    const depth = MAX_NESTING
    const root = shown(Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}- item${i}`).join('\n'))
    // Each list level opens two tokens (list and item): lists nest to half the cap.
    expect(root.querySelectorAll('ul')).toHaveLength(MAX_NESTING / 2)
    for (let i = 0; i < depth; i++) expect(root.textContent).toContain(`item${i}`)
    // The deepest item holds the flattened rest.
    expect([...root.querySelectorAll('li')].at(-1)!.textContent).toMatch(/^item15\s*- item16\s*- item17/)
  })

  it('shows content after a list nested past the cap', () => {
    const deep = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}- a${i}`).join('\n')
    const root = shown(`${deep}\n\nAfter the list.`)
    expect(root.textContent).toContain('a39')
    expect(root.querySelector('[data-rivulet="markdown"] > p')).toHaveTextContent('After the list.')
  })

  it('shows a marker run longer than the cap as text, and emphasis next to it still works', () => {
    const run = '*'.repeat(MAX_MARKER_RUN + 1)
    const root = shown(`${run}a${run} and **bold**`)
    expect(root.querySelector('p')!.textContent).toBe(`${run}a${run} and bold`)
    expect(root.querySelector('strong')).toHaveTextContent('bold')
  })

  it('shows emphasis nested past the cap with its markers as text', () => {
    const depth = MAX_NESTING + 8
    const root = shown(`${'*a '.repeat(depth)}b${' a*'.repeat(depth)}`)
    expect(root.querySelectorAll('em')).toHaveLength(MAX_NESTING)
    expect(root.querySelector('p')!.textContent).toBe(
      `${'a '.repeat(MAX_NESTING)}${'*a '.repeat(8)}b${' a*'.repeat(8)}${' a'.repeat(MAX_NESTING)}`,
    )
  })

  it('keeps a table wider than the cap as a paragraph of its text', () => {
    const columns = MAX_TABLE_COLUMNS + 1
    const root = shown(`${'| h '.repeat(columns)}|\n${'|---'.repeat(columns)}|\n${'| c '.repeat(columns)}|`)
    expect(root.querySelector('table')).toBeNull()
    expect(root.querySelector('p')!.textContent!.split('h')).toHaveLength(columns + 1)
    expect(
      shown(`${'| h '.repeat(MAX_TABLE_COLUMNS)}|\n${'|---'.repeat(MAX_TABLE_COLUMNS)}|`).querySelector('table'),
    ).not.toBeNull()
  })
})

describe('model output never becomes live HTML', () => {
  it('shows raw HTML as text', () => {
    const root = shown('<b>bold?</b> <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n')
    expect(root.querySelector('b, img, script')).toBeNull()
    expect(root.textContent).toContain('<b>bold?</b>')
    expect(root.textContent).toContain('<script>alert(1)</script>')
  })

  it.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['&#106;avascript:alert(1)'],
    ['&#x6A;avascript&colon;alert(1)'],
    ['java%09script:alert(1)'],
    ['<javascript:alert(1)>'],
    [' javascript:alert(1)'],
    ['data:text/html;base64,PHNjcmlwdD4='],
    ['vbscript:msgbox(1)'],
    ['file:///etc/passwd'],
  ])('renders a link to %s as plain text', (href) => {
    const root = shown(`[click me](${href})`)
    const links = [...root.querySelectorAll('a')]
    for (const link of links)
      expect(link.getAttribute('href') ?? '').not.toMatch(/^\s*(javascript|data|vbscript|file):/i)
    if (!href.startsWith('java%09')) expect(links).toHaveLength(0)
    expect(root).toHaveTextContent('click me')
  })

  it('refuses scripted autolinks too', () => {
    const root = shown('<javascript:alert(1)> and <vbscript:x>')
    expect(root.querySelector('a')).toBeNull()
  })

  it('gives external links rel="noopener noreferrer" and keeps relative and fragment links plain', () => {
    const root = shown('[out](https://example.com) [mail](mailto:a@b.c) [rel](docs/a.md) [frag](#setup)')
    const links = Object.fromEntries([...root.querySelectorAll('a')].map((a) => [a.textContent, a]))
    expect(links.out).toHaveAttribute('rel', 'noopener noreferrer')
    expect(links.mail).toHaveAttribute('href', 'mailto:a@b.c')
    expect(links.rel).toHaveAttribute('href', 'docs/a.md')
    expect(links.rel).not.toHaveAttribute('rel')
    expect(links.frag).toHaveAttribute('href', '#setup')
  })

  it('shows images only where allowImage says, as their alt text otherwise', () => {
    const text = '![a cat](https://img.example/cat.png) ![bad](javascript:alert(1))'
    expect(shown(text).querySelector('img')).toBeNull()
    expect(shown(text)).toHaveTextContent('a cat')
    cleanup()
    const { container } = render(<Markdown text={text} allowImage={(src) => src.startsWith('https://img.example/')} />)
    const images = container.querySelectorAll('img')
    expect(images).toHaveLength(1)
    expect(images[0]).toHaveAttribute('alt', 'a cat')
  })

  it('gives two answers on one page distinct footnote and heading ids', () => {
    const answer = '## Notes\n\nA claim[^1].\n\n[^1]: A source.\n'
    const { container } = render(
      <>
        <Markdown text={answer} />
        <Markdown text={answer} />
      </>,
    )
    const ids = [...container.querySelectorAll('[id]')].map((el) => el.id)
    expect(ids.length).toBeGreaterThanOrEqual(8)
    expect(new Set(ids).size).toBe(ids.length)
    for (const answerRoot of container.querySelectorAll('[data-rivulet="markdown"]')) {
      const href = answerRoot.querySelector('a[data-footnote-ref]')!.getAttribute('href')!
      expect(answerRoot.querySelector(href)).toHaveTextContent('A source.')
    }
  })
})

describe('streaming', () => {
  it.each([
    ['Some **bold', 'strong', 'bold'],
    ['Some _emphasis', 'em', 'emphasis'],
    ['Run `npm te', 'code', 'npm te'],
    ['Gone ~~soon', 'del', 'soon'],
    ['See [the guide](https://exa', 'a[href="https://exa"]', 'the guide'],
    ['```ts\nconst a = 1', 'pre code', 'const a = 1'],
    ['| name | size |', 'table th', 'name'],
    ['| name | size |\n|:--', 'table th', 'name'],
  ])('renders the unfinished %j as it will be once closed', (text, selector, inside) => {
    const root = shown(text, true)
    expect(root.querySelector(selector)).toHaveTextContent(inside)
    expect(root.textContent).not.toMatch(/\*\*|~~|`|\]\(|\|/)
  })

  it.each([
    ['Some **bold*', 'strong', 'bold'],
    ['Some **2 * ', 'strong', '2'],
    ['Run `[a](b)', 'code', '[a](b)'],
    ['An _emphasis_with_underscores', 'em', 'emphasis_with_underscores'],
    ['See [the docs]', 'a[data-incomplete]', 'the docs'],
    ['See [the docs][do', 'a[data-incomplete]', 'the docs'],
    ['| name |\n|:', 'table th', 'name'],
  ])('renders the half-written %j without raw markers', (text, selector, inside) => {
    const root = shown(text, true)
    expect(root.querySelector(selector)).toHaveTextContent(inside)
    const prose = root.cloneNode(true) as HTMLElement
    for (const code of prose.querySelectorAll('code')) code.remove()
    expect(prose.textContent).not.toMatch(/[*`|[\]]|(?<!\w)_|_(?!\w)/)
  })

  it.each([
    ['|', ''],
    ['[docs]:', ''],
    ['Text\n\n`[', 'Text'],
  ])('holds back %j until it means something', (text, expected) => {
    expect(shown(text, true).textContent).toBe(expected)
  })

  it.each([
    ['2 * 3 * 4', '2 * 3 * 4'],
    ['a snake_case_name', 'a snake_case_name'],
    ['use `a ** b` then', 'use a ** b then'],
  ])('does not change %j while repairing', (text, expected) => {
    expect(shown(text, true).querySelector('p')).toHaveTextContent(expected)
  })

  it('holds back a half-written marker at the end instead of flashing it', () => {
    expect(shown('Next comes **', true)).toHaveTextContent(/^Next comes$/)
    expect(shown('```py\nx = 1\n``', true).querySelector('code')?.textContent).toBe('x = 1\n')
  })

  it('does not render a finished block again as the text grows', () => {
    // Each paragraph element counts its own renders.
    const renders: number[] = []
    const P = ({ children }: { children?: ReactNode }) => {
      const [index] = useState(() => renders.push(0) - 1)
      renders[index]!++
      return <p>{children}</p>
    }
    const components = { p: P }
    const answer = 'First paragraph.\n\nSecond paragraph, written slowly.\n\n- a list\n- that grows\n\nThe end.'
    const { rerender, container } = render(<Markdown text="" streaming components={components} />)
    let afterFirst = 0
    let afterSecond = 0
    for (let i = 1; i <= answer.length; i++) {
      const text = answer.slice(0, i)
      rerender(<Markdown text={text} streaming components={{ p: P }} />)
      if (text.endsWith('\n\nS')) afterFirst = renders[0]!
      if (text.endsWith('\n\n-')) afterSecond = renders[1]!
    }
    rerender(<Markdown text={answer} components={{ p: P }} />)
    expect(afterFirst).toBeGreaterThan(0)
    expect(renders[0]).toBe(afterFirst)
    expect(renders[1]).toBe(afterSecond)
    expect(container.querySelectorAll('p')).toHaveLength(3)
  })

  it('renders a reference link as a link before its definition arrives, and as text if it never does', () => {
    const { container, rerender } = render(<Markdown text={'See [the docs][d] now.'} streaming />)
    expect(container.querySelector('a')).toHaveTextContent('the docs')
    rerender(<Markdown text={'See [the docs][d] now.'} />)
    expect(container.querySelector('a')).toBeNull()
    expect(container).toHaveTextContent('See [the docs][d] now.')
  })

  it('turns a paragraph into a heading when its setext underline arrives', () => {
    const { container, rerender } = render(<Markdown text={'Title\n'} streaming />)
    rerender(<Markdown text={'Title\n===\n\nBody'} streaming />)
    rerender(<Markdown text={'Title\n===\n\nBody'} />)
    expect(container.querySelector('h1')).toHaveTextContent('Title')
  })
})

describe('code blocks', () => {
  const code = '```ts\nconst answer = 42\n```\n'
  const colour = (source: string) => {
    let offset = 0
    return source.split(/(\d+)/).map((part) => {
      const at = offset
      offset += part.length
      return /\d/.test(part) ? (
        <span key={at} data-token="number">
          {part}
        </span>
      ) : (
        part
      )
    })
  }

  it('shows the plain text first, then the highlighted result with the same text', async () => {
    let resolve: (node: ReactNode) => void = () => {}
    const highlight = vi.fn((source: string) => new Promise<ReactNode>((r) => (resolve = () => r(colour(source)))))
    const { container } = render(<Markdown text={code} highlight={highlight} />)
    const element = container.querySelector('code')!
    expect(element.textContent).toBe('const answer = 42\n')
    expect(element.querySelector('[data-token]')).toBeNull()
    await waitFor(() => expect(highlight).toHaveBeenCalledWith('const answer = 42\n', 'ts'))
    await act(async () => resolve(null))
    expect(container.querySelector('code [data-token="number"]')).toHaveTextContent('42')
    expect(container.querySelector('code')!.textContent).toBe('const answer = 42\n')
    expect(container.querySelector('code')).toBe(element)
  })

  it('drops a highlighted result whose text differs from the code', async () => {
    const { container } = render(<Markdown text={code} highlight={() => 'something else'} />)
    await act(async () => {})
    await act(async () => {})
    expect(container.querySelector('code')!.textContent).toBe('const answer = 42\n')
  })

  it('highlights a streamed fence once, when it closes', async () => {
    const highlight = vi.fn((source: string) => colour(source))
    const { rerender } = render(<Markdown text="" streaming highlight={highlight} />)
    const answer = '```ts\nconst a = 1\nconst b = 2\n```\n\nDone.'
    for (let i = 1; i <= answer.length; i++) {
      rerender(<Markdown text={answer.slice(0, i)} streaming highlight={highlight} />)
      await act(async () => {})
    }
    expect(highlight).toHaveBeenCalledTimes(1)
    expect(highlight).toHaveBeenCalledWith('const a = 1\nconst b = 2\n', 'ts')
  })

  it('copies the code with its copy button', async () => {
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    render(<Markdown text={code} />)
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy' })))
    expect(writeText).toHaveBeenCalledWith('const answer = 42\n')
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument()
  })
})
