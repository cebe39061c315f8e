import markdownit, { type MarkdownIt, type StateCore, type Token } from 'markdown-it'
import footnote from 'markdown-it-footnote'

/**
 * Nesting cap for blocks and inlines. markdown-it stops opening containers past it (the rest
 * is text), which keeps 50,000 `>` or `[` linear to parse and the React tree shallow enough
 * to render without a deep stack.
 */
export const MAX_NESTING = 32

let parser: MarkdownIt | undefined

/** The shared markdown-it instance, built on first use (not at import). */
export function markdownParser(): MarkdownIt {
  return (parser ??= createParser())
}

/** Builds the markdown-it instance: CommonMark + GFM, raw HTML off (it stays text). */
export function createParser(): MarkdownIt {
  const md = markdownit('default', {
    html: false,
    linkify: true,
    typographer: false,
    maxNesting: MAX_NESTING,
  })
  // Every link becomes a link token; the renderer decides what may be a live href (urls.ts), so
  // a refused link shows its text, not its raw markdown.
  md.validateLink = () => true
  // `www.` links need linkify-it's fuzzy mode; gfmAutolinks drops the fuzzy links GFM has not.
  md.linkify.set({ fuzzyLink: true, fuzzyEmail: true })
  md.use(footnote)
  // Footnotes are numbered and placed by the Markdown component across blocks, so they stay
  // where they were written; inline `^[notes]` are not GFM.
  md.core.ruler.disable('footnote_tail')
  md.inline.ruler.disable('footnote_inline')
  md.core.ruler.after('linkify', 'gfm_autolinks', gfmAutolinks)
  md.core.ruler.after('inline', 'task_lists', taskLists)
  return md
}

/**
 * GFM autolinks only `www.`, `http(s)://` and email addresses; linkify-it's fuzzy links would
 * also turn `utils.py` or `example.io` into links.
 */
function gfmAutolinks(state: StateCore): void {
  for (const block of state.tokens) {
    const children = block.children
    if (block.type !== 'inline' || !children) continue
    for (let i = 0; i < children.length; i++) {
      const open = children[i]!
      if (open.type !== 'link_open' || open.markup !== 'linkify') continue
      const text = children[i + 1]?.content ?? ''
      if (/^(?:https?:\/\/|www\.|mailto:)/i.test(text) || text.includes('@')) continue
      const close = children.findIndex((t, j) => j > i && t.type === 'link_close')
      children.splice(close, 1)
      children.splice(i, 1)
      i--
    }
  }
}

const TASK = /^\[([ xX])\](?=\s|$)\s?/

/** GFM task list items: `- [ ] todo` / `- [x] done` set `meta.task` on the item. */
function taskLists(state: StateCore): void {
  const tokens = state.tokens
  for (let i = 2; i < tokens.length; i++) {
    const inline = tokens[i]!
    if (inline.type !== 'inline' || tokens[i - 1]!.type !== 'paragraph_open') continue
    const item = tokens[i - 2]!
    if (item.type !== 'list_item_open') continue
    const first = inline.children?.[0]
    const match = first?.type === 'text' ? TASK.exec(first.content) : null
    if (!first || !match) continue
    first.content = first.content.slice(match[0].length)
    item.meta = { ...item.meta, task: match[1] !== ' ' }
  }
}

const DEEP_QUOTE = new RegExp(`^((?: {0,3}> ?){${MAX_NESTING / 2}})((?: {0,3}>)+)`, 'gm')

/**
 * Normalizes line endings and NUL as markdown-it does. Blockquote markers past half the nesting
 * cap are escaped (shown as `>`): markdown-it drops whatever lies past its cap, and the text of
 * `>>>>…>> a` should still show.
 */
export function normalizeSource(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\0/g, '\uFFFD')
    .replace(DEEP_QUOTE, (_, kept: string, excess: string) => kept + excess.replace(/>/g, '\\>'))
}

export type { Token }
