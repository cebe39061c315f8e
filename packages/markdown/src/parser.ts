/// <reference path="./markdown-it-footnote.d.ts" />
import markdownit, { type MarkdownIt, type StateBlock, type StateCore, type StateInline, type Token } from 'markdown-it'
import footnote from 'markdown-it-footnote'

/**
 * Nesting cap for blocks and inlines. markdown-it stops opening containers past it (the rest
 * is text), which keeps 50,000 `>` or `[` linear to parse and the React tree shallow enough
 * to render without a deep stack.
 */
export const MAX_NESTING = 32

/**
 * Longest run of `*`, `_` or `~` that can be emphasis; a longer run shows as text. No real
 * answer writes 33 markers in a row for emphasis, and 50,000 of them made markdown-it's
 * delimiter matching take over a second.
 */
export const MAX_MARKER_RUN = 32

/** Emphasis and strikethrough delimiters per inline block; markers past them show as text. */
export const MAX_DELIMITERS = 1024

/** Widest table; a wider one stays a paragraph (its text shows, 25,000 cells do not render). */
export const MAX_TABLE_COLUMNS = 128

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
  guardInput(md)
  return md
}

/**
 * Caps what pathological input could make slow or deep, showing the excess as text rather than
 * dropping it: marker runs and delimiters per block (before markdown-it matches them), table
 * width, and nesting (markdown-it drops everything past `maxNesting`; here blocks past it become
 * a paragraph of their text and inlines past it show their markers).
 */
function guardInput(md: MarkdownIt): void {
  md.inline.ruler.before('strikethrough', 'marker_cap', capMarkers)
  md.core.ruler.after('inline', 'inline_nesting_cap', capInlineNesting)
  const table = md.block.ruler.__rules__.find((rule) => rule.name === 'table')!.fn
  md.block.ruler.at('table', (state, startLine, endLine, silent) =>
    tooManyColumns(state, startLine + 1) ? false : table(state, startLine, endLine, silent),
  )
  const tokenize = md.block.tokenize.bind(md.block)
  md.block.tokenize = (state, startLine, endLine) => {
    if (state.level >= MAX_NESTING) flattenPastNesting(state, startLine, endLine)
    else tokenize(state, startLine, endLine)
  }
}

const markerRuns = new WeakMap<StateInline, number>()

/** A run of `*`, `_` or `~` past the run or delimiter cap becomes text before emphasis sees it. */
function capMarkers(state: StateInline, silent: boolean): boolean {
  const marker = state.src.charCodeAt(state.pos)
  if (marker !== 0x2a && marker !== 0x5f && marker !== 0x7e) return false
  let end = state.pos + 1
  while (end < state.posMax && state.src.charCodeAt(end) === marker) end++
  const run = end - state.pos
  const delimiters = markerRuns.get(state) ?? 0
  if (run <= MAX_MARKER_RUN && delimiters + run <= MAX_DELIMITERS) {
    // Link labels are scanned silently first; only the real pass adds delimiters.
    if (!silent) markerRuns.set(state, delimiters + run)
    return false
  }
  if (!silent) state.pending += state.src.slice(state.pos, end)
  state.pos = end
  return true
}

/**
 * Emphasis is matched after tokenizing, so markdown-it's nesting cap does not bound it:
 * `*a *a *a … a* a* a*` nests as deep as it is long. Past the cap the markers show as text.
 */
function capInlineNesting(state: StateCore): void {
  for (const block of state.tokens) {
    const children = block.children
    if (block.type !== 'inline' || !children || !nestsPast(children, MAX_NESTING)) continue
    const out: Token[] = []
    const shown: boolean[] = []
    const text = (content: string) => {
      const last = out.at(-1)
      if (last?.type === 'text') last.content += content
      else {
        const token = new state.Token('text', '', 0)
        token.content = content
        out.push(token)
      }
    }
    let depth = 0
    for (const token of children) {
      if (token.type === 'text') text(token.content)
      else if (token.nesting === 1) {
        const keep = depth < MAX_NESTING
        shown.push(keep)
        if (keep) depth++
        keep ? out.push(token) : text(token.markup)
      } else if (token.nesting === -1) {
        const keep = shown.pop()
        if (keep) depth--
        keep ? out.push(token) : text(token.markup)
      } else out.push(token)
    }
    block.children = out
  }
}

function nestsPast(tokens: Token[], cap: number): boolean {
  let depth = 0
  for (const token of tokens) if ((depth += token.nesting) > cap) return true
  return false
}

/** True if the line (a table's delimiter row, if it is one) has more cells than a table may. */
function tooManyColumns(state: StateBlock, line: number): boolean {
  if (line >= state.lineMax) return false
  let pipes = 0
  for (let pos = state.bMarks[line]!; pos < state.eMarks[line]!; pos++) {
    if (state.src.charCodeAt(pos) === 0x7c && ++pipes > MAX_TABLE_COLUMNS + 1) return true
  }
  return false
}

/**
 * What markdown-it would drop past its nesting cap (it skips the rest of the container) becomes
 * one paragraph of the container's remaining lines, so `- a` nested 2,000 deep still shows.
 */
function flattenPastNesting(state: StateBlock, startLine: number, endLine: number): void {
  const start = state.skipEmptyLines(startLine)
  let end = start
  while (end < endLine && (state.isEmpty(end) || state.sCount[end]! >= state.blkIndent)) end++
  state.line = end
  // Without each line's indentation: 2,000 levels of it would be megabytes of inline text.
  const content = state
    .getLines(start, end, state.blkIndent, false)
    .replace(/^[ \t]+/gm, '')
    .trim()
  if (start >= end || content === '') return
  state.push('paragraph_open', 'p', 1).map = [start, end]
  const inline = state.push('inline', '', 0)
  inline.content = content
  inline.map = [start, end]
  inline.children = []
  state.push('paragraph_close', 'p', -1)
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
