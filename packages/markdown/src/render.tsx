import type { Token } from 'markdown-it'
import { type ComponentType, createElement, Fragment, type ReactNode } from 'react'
import { CodeBlock, type Highlighter } from './code-block.js'
import { markdownParser } from './parser.js'
import { linkKind } from './urls.js'

/**
 * Replacements per element, as in react-markdown: `{ a: MyLink, h2: 'h3', code: MyCode }`.
 * A component gets the element's props (`href`, `id`, `className`, `style`, `children`…).
 */
// biome-ignore lint/suspicious/noExplicitAny: each element has its own props
export type MarkdownComponents = Partial<Record<string, ComponentType<any> | string>>

export interface MarkdownLabels {
  /** Heading of the footnotes section (visually hidden by the optional stylesheet's users). */
  footnotes: string
  /** Label of a footnote's link back to where it is referenced. */
  backToReference: (number: number) => string
  copy: string
  copied: string
  /** Accessible name of a task list item's checkbox. */
  task: (done: boolean) => string
}

export const defaultLabels: MarkdownLabels = {
  footnotes: 'Footnotes',
  backToReference: (number) => `Back to reference ${number}`,
  task: (done) => (done ? 'Done' : 'Not done'),
  copy: 'Copy',
  copied: 'Copied',
}

/** What every block of one Markdown element renders with (stable across its renders). */
export interface RenderContext {
  components: MarkdownComponents
  allowImage: ((src: string) => boolean) | undefined
  highlight: Highlighter | undefined
  copyButton: boolean
  labels: MarkdownLabels
  /** Unique per Markdown element (from useId): ids never collide between two answers. */
  idPrefix: string
}

/** Per block: the footnote numbers and heading ids the whole answer assigned to it, in order. */
export interface BlockLayout {
  footnotes: { number: number; occurrence: number }[]
  headingIds: string[]
  /** The block is still being written (its fences may be open). */
  live: boolean
}

export function footnoteId(context: RenderContext, number: number): string {
  return `${context.idPrefix}-fn-${number}`
}

export function footnoteRefId(context: RenderContext, number: number, occurrence: number): string {
  return `${context.idPrefix}-fnref-${number}${occurrence > 0 ? `-${occurrence}` : ''}`
}

interface Frame {
  token: Token | undefined
  children: ReactNode[]
}

/** Builds React elements from a markdown-it token stream (never HTML strings). */
export function renderTokens(tokens: Token[], context: RenderContext, layout: BlockLayout): ReactNode[] {
  let footnote = 0
  let heading = 0
  const el = (tag: string, props: Record<string, unknown>, children: ReactNode[]) =>
    createElement(context.components[tag] ?? tag, props, ...children)

  const leaf = (token: Token, key: number): ReactNode => {
    switch (token.type) {
      case 'text':
        return token.content
      case 'softbreak':
        return '\n'
      case 'hardbreak':
        return el('br', { key }, [])
      case 'hr':
        return el('hr', { key }, [])
      case 'code_inline':
        return el('code', { key }, [token.content])
      case 'inline':
        return createElement(Fragment, { key }, ...build(token.children ?? []))
      case 'fence':
      case 'code_block': {
        const language = markdownParser().utils.unescapeAll(token.info).trim().split(/\s+/)[0] ?? ''
        const complete = !layout.live || (token.type === 'fence' && closedFence(token))
        return createElement(CodeBlock, { key, code: token.content, language, complete, context })
      }
      case 'image': {
        const src = String(token.attrGet('src') ?? '')
        const alt = token.children ? textOf(token.children) : token.content
        const allowed = context.allowImage && linkKind(src) !== undefined && context.allowImage(src)
        if (!allowed) return alt
        const title = token.attrGet('title')
        return el('img', { key, src, alt, title: title ? String(title) : undefined }, [])
      }
      case 'footnote_ref': {
        const assigned = layout.footnotes[footnote++]
        if (!assigned) return null
        const { number, occurrence } = assigned
        return el('sup', { key }, [
          el(
            'a',
            {
              key: 0,
              href: `#${footnoteId(context, number)}`,
              id: footnoteRefId(context, number, occurrence),
              'data-footnote-ref': '',
              'aria-describedby': `${context.idPrefix}-footnotes`,
            },
            [String(number)],
          ),
        ])
      }
      case 'html_block':
      case 'html_inline':
        // Only with markdown-it's `html` option, which is off: shown as text all the same.
        return token.content
      default:
        return null
    }
  }

  const container = (open: Token, children: ReactNode[], key: number): ReactNode => {
    switch (open.type) {
      case 'paragraph_open':
        // Paragraphs of tight list items render without <p>, as in CommonMark's HTML.
        return open.hidden ? createElement(Fragment, { key }, ...children) : el('p', { key, dir: 'auto' }, children)
      case 'heading_open':
        return el(open.tag, { key, id: layout.headingIds[heading++], dir: 'auto' }, children)
      case 'ordered_list_open': {
        const start = open.attrGet('start')
        return el('ol', { key, start: start === null ? undefined : Number(start), dir: 'auto' }, children)
      }
      case 'bullet_list_open':
      case 'blockquote_open':
      case 'table_open':
        return el(open.tag, { key, dir: 'auto' }, children)
      case 'list_item_open': {
        const task = open.meta?.task
        if (typeof task !== 'boolean') return el('li', { key, dir: 'auto' }, children)
        const box = el(
          'input',
          {
            key: 'task',
            type: 'checkbox',
            checked: task,
            disabled: true,
            readOnly: true,
            'aria-label': context.labels.task(task),
          },
          [],
        )
        return el('li', { key, className: 'task-list-item', 'data-task': task ? 'done' : 'todo', dir: 'auto' }, [
          box,
          ...children,
        ])
      }
      case 'th_open':
      case 'td_open': {
        const align = /text-align:\s*(\w+)/.exec(String(open.attrGet('style') ?? ''))?.[1]
        return el(open.tag, { key, style: align ? { textAlign: align } : undefined, dir: 'auto' }, children)
      }
      case 'link_open': {
        const href = String(open.attrGet('href') ?? '')
        // While live, an empty destination is a link still being written (see repair.ts).
        if (href === '' && layout.live) return el('a', { key, 'data-incomplete': '' }, children)
        const kind = linkKind(href)
        if (!kind) return createElement(Fragment, { key }, ...children)
        const title = open.attrGet('title')
        return el(
          'a',
          {
            key,
            href,
            title: title ? String(title) : undefined,
            rel: kind === 'external' ? 'noopener noreferrer' : undefined,
          },
          children,
        )
      }
      case 'footnote_reference_open':
        // Footnote definitions render in the footnotes section.
        return null
      case 's_open':
        return el('del', { key }, children)
      default:
        return el(open.tag, { key }, children)
    }
  }

  function build(list: Token[]): ReactNode[] {
    const stack: Frame[] = [{ token: undefined, children: [] }]
    for (const token of list) {
      const top = stack.at(-1)!
      if (token.nesting === 1) stack.push({ token, children: [] })
      else if (token.nesting === -1) {
        const frame = stack.pop()!
        const parent = stack.at(-1)!
        if (frame.token) parent.children.push(container(frame.token, frame.children, parent.children.length))
      } else top.children.push(leaf(token, top.children.length))
    }
    return stack[0]!.children
  }

  return build(tokens)
}

/** markdown-it ends an unclosed fence at the end of its container; its map then has no closing line. */
function closedFence(token: Token): boolean {
  const lines = token.map ? token.map[1] - token.map[0] : 0
  const newlines = token.content.split('\n').length - 1
  const codeLines = token.content === '' || token.content.endsWith('\n') ? newlines : newlines + 1
  return lines >= codeLines + 2
}

function textOf(tokens: Token[]): string {
  return tokens.map((token) => (token.children ? textOf(token.children) : token.content)).join('')
}
