import type { MarkdownIt, Token } from 'markdown-it'

/**
 * Makes the growing end of a streamed answer render as it will once the model closes it:
 * `**bold` as bold, `` `code `` as code, `[text](https://exa` as a link, a table header (with or
 * without its delimiter row) as a table; a half-written marker at the very end (`*`, `` ` ``,
 * a closing fence, `[^1`) is held back until it means something. Only the last block is repaired,
 * and only while streaming.
 *
 * Candidates come from a scan of the source, but markdown-it decides: a closer is kept only if
 * fewer markers then show as text (the opener and the closer both became syntax), so `2 * 3 * 4`,
 * snake_case words and `**` inside code stay exactly as written.
 *
 * @example
 * repairGrowingBlock(md, 'Some **bold') // 'Some **bold**'
 */
export function repairGrowingBlock(md: MarkdownIt, source: string): string {
  let text = holdBackPartialLine(source)
  if (openFence(text)) return text
  text = completeTable(md, text)
  // Until nothing more is held back: `` `[ `` waits for both.
  for (let shorter = holdBackTrailingMarker(md, text); shorter !== text; shorter = holdBackTrailingMarker(md, text)) {
    text = shorter
  }
  return closeInlines(md, text)
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/

/** True if the text is a fenced code block whose closing fence has not arrived. */
function openFence(text: string): boolean {
  const lines = text.split('\n')
  const open = FENCE_OPEN.exec(lines[0] ?? '')?.[1]
  if (!open) return false
  const closing = new RegExp(`^ {0,3}${open[0] === '`' ? '`' : '~'}{${open.length},}\\s*$`)
  return !lines.slice(1, -1).some((line) => closing.test(line)) && !closing.test(lines.at(-1) ?? '')
}

/**
 * A last line without its newline that is only fence characters (an opening or closing fence
 * being written, or a code span's first backtick), a table row's first `|`, only `-` / `=` (a
 * list item, a rule or a setext underline: which one is not known yet), or a definition's
 * `[label]:` before its URL, is left out until it is longer.
 */
function holdBackPartialLine(text: string): string {
  const start = text.lastIndexOf('\n') + 1
  const line = text.slice(start)
  if (
    /^[ >]*(?:[-*+] +|\d{1,9}[.)] +)*(?:`+|~+|\|)\s*$/.test(line) ||
    /^ {0,3}(?:-+|=+)\s*$/.test(line) ||
    /^ {0,3}\[[^\]]+\]:\s*$/.test(line)
  ) {
    return text.slice(0, start)
  }
  return text
}

const TABLE_ROW = /^ {0,3}\|/

/** A table header row, alone or with a partial delimiter row, becomes a table at once. */
function completeTable(md: MarkdownIt, text: string): string {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  let header = lines.length - 1
  const last = lines[header] ?? ''
  const delimiterSoFar = /^ {0,3}\|?[\s:|-]*$/.test(last) && /[-:]/.test(last) && header > 0
  if (delimiterSoFar) header--
  const headerLine = lines[header] ?? ''
  if (!TABLE_ROW.test(headerLine) || (header > 0 && TABLE_ROW.test(lines[header - 1] ?? ''))) return text
  const columns = cells(headerLine).length
  if (columns === 0) return text
  const typed = delimiterSoFar ? cells(last) : []
  const delimiter = Array.from({ length: columns }, (_, i) => {
    const cell = typed[i]?.trim()
    if (!cell) return '---'
    const left = cell.startsWith(':') ? ':' : ''
    const right = cell.length > 1 && cell.endsWith(':') ? ':' : ''
    return `${left}---${right}`
  })
  const repaired = [...lines.slice(0, header + 1), `|${delimiter.join('|')}|`].join('\n')
  return md.parse(repaired, {}).some((token) => token.type === 'table_open') ? repaired : text
}

function cells(row: string): string[] {
  const parts = row
    .trim()
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim())
  if (parts[0] === '') parts.shift()
  if (parts.length > 1 && parts.at(-1) === '') parts.pop()
  return parts
}

/** A marker run at the very end that shows as text (nothing after it yet) waits for its word. */
function holdBackTrailingMarker(md: MarkdownIt, text: string): string {
  const footnote = openFootnoteLabel(text)
  if (footnote !== -1) return text.slice(0, footnote)
  // The label of `[text][ref` waits: `[text]` alone shows as a link meanwhile.
  const reference = text.lastIndexOf('][')
  if (reference !== -1 && !/[\]\n]/.test(text.slice(reference + 2))) return text.slice(0, reference + 1)
  // Spaces after it change nothing yet (`**2 * ` may become `**2 * 3**`).
  // (Not `/[ \t]+$/`: it retries at every space of every indentation run.)
  let end = text.length
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--
  const body = text.slice(0, end)
  const run = trailingRun(body)
  if (run === 0) return text
  const shorter = body.slice(0, -run)
  // `<=`: the paragraph's trailing space goes with the marker.
  return visibleLength(md, shorter) <= visibleLength(md, text) - run ? shorter : text
}

/**
 * Where a `[^label` still being written starts (`/\[\^[^\]\s]*$/`, found without a regex that
 * would retry at each `[^` of a long line).
 */
function openFootnoteLabel(text: string): number {
  let last = text.length - 1
  while (last >= 0 && text[last] !== ']' && !/\s/.test(text[last]!)) last--
  return text.indexOf('[^', last + 1)
}

/** Length of the `*`, `_`, `~`, `` ` `` run, or the `[` / `![`, that ends the text (0 if none). */
function trailingRun(text: string): number {
  const char = text.at(-1)
  if (char === '[') return text.at(-2) === '!' ? 2 : 1
  if (char !== '*' && char !== '_' && char !== '~' && char !== '`') return 0
  let start = text.length - 1
  while (start > 0 && text[start - 1] === char) start--
  return text.length - start
}

interface Opener {
  closer: string
}

/** Closers for what is still open at the end, innermost first (a scan; markdown-it verifies). */
function openers(text: string): Opener[] {
  const stack: Opener[] = []
  const runs: Partial<Record<string, RunIndex>> = {}
  let i = 0
  const at = (index: number) => text[index] ?? ' '
  while (i < text.length) {
    const char = text[i]!
    if (char === '\\') {
      i += 2
      continue
    }
    if (char === '`' || char === '$') {
      let length = 1
      while (text[i + length] === char) length++
      const close = (runs[char] ??= runIndex(text, char)).next(i + length, length)
      if (close === -1) {
        // An open code span runs to the end: nothing after it is markup. An open `$` is just text.
        if (char === '`') return [...stack, { closer: char.repeat(length) }]
        i += length
        continue
      }
      i = close + length
      continue
    }
    if (char === '*' || char === '_' || char === '~') {
      let length = 1
      while (text[i + length] === char) length++
      const before = at(i - 1)
      const after = at(i + length)
      const leftFlanking = !/\s/.test(after)
      const rightFlanking = !/\s/.test(before)
      const wordBefore = /[\p{L}\p{N}]/u.test(before)
      // An intraword `_` neither opens nor closes (snake_case_name).
      const closes = rightFlanking && !(char === '_' && /[\p{L}\p{N}]/u.test(after))
      const marker = char === '~' ? '~~' : char.repeat(Math.min(length, 2))
      const top = stack.at(-1)
      if (closes && top?.closer === marker) stack.pop()
      else if (closes && !leftFlanking && top && top.closer.length > length && char !== '~' && top.closer[0] === char) {
        // Half of a closer (`**bold*`): the rest of it is what is still open.
        top.closer = char.repeat(top.closer.length - length)
      } else if (leftFlanking && !(char === '_' && wordBefore) && (char !== '~' || length >= 2)) {
        stack.push({ closer: marker })
      }
      i += length
      continue
    }
    if (char === '[') {
      stack.push({ closer: text[i + 1] === '^' ? ']' : ']()' })
    } else if (char === ']') {
      const index = stack.findLastIndex((opener) => opener.closer === ']()' || opener.closer === ']')
      const link = stack[index]?.closer === ']()'
      if (index !== -1) stack.length = index
      // `[text]` at the very end may be followed by `(url)` or `[ref]`: it shows as the link it will be.
      if (link && i === text.length - 1) return [...stack, { closer: '()' }]
      if (text[i + 1] === '(') {
        const close = text.indexOf(')', i + 2)
        if (close === -1) return [...stack, { closer: ')' }]
        i = close + 1
        continue
      }
    }
    i++
  }
  return stack
}

interface RunIndex {
  /** Start of the first run of exactly `length` characters at or after `from`, or -1. */
  next(from: number, length: number): number
}

/**
 * The runs of one character (backticks, `$`) by length, so finding each code span's closer is a
 * lookup rather than a scan of the rest of the text (2,000 backtick runs on one line would
 * otherwise be quadratic). As in CommonMark, a closer is a run of exactly the opener's length.
 */
function runIndex(text: string, char: string): RunIndex {
  const byLength = new Map<number, number[]>()
  for (let start = text.indexOf(char); start !== -1; ) {
    let end = start + 1
    while (text[end] === char) end++
    const starts = byLength.get(end - start)
    if (starts) starts.push(start)
    else byLength.set(end - start, [start])
    start = text.indexOf(char, end)
  }
  return {
    next(from, length) {
      const starts = byLength.get(length)
      if (!starts) return -1
      let low = 0
      let high = starts.length
      while (low < high) {
        const mid = (low + high) >> 1
        if (starts[mid]! < from) low = mid + 1
        else high = mid
      }
      return starts[low] ?? -1
    },
  }
}

/** Characters of candidate parsing per repair: a huge growing block gets fewer candidates. */
const REPAIR_BUDGET = 400_000

function closeInlines(md: MarkdownIt, text: string): string {
  // Each candidate costs a parse: only the innermost few are tried (real answers nest two or
  // three), fewer when the block is huge.
  const tries = Math.min(6, Math.max(1, Math.floor(REPAIR_BUDGET / Math.max(1, text.length))))
  // Closers go before trailing whitespace: `**bold ` closes as `**bold**` (a closer after a space
  // is not right-flanking), `` `a `` as `` `a` ``.
  const body = text.trimEnd()
  const trailing = text.slice(body.length)
  const pending = openers(body).reverse().slice(0, tries)
  if (pending.length === 0) return text
  let suffix = ''
  let shown = visibleMarkers(md, text)
  for (const { closer } of pending) {
    const markers = visibleMarkers(md, body + suffix + closer + trailing)
    if (markers < shown) {
      suffix += closer
      shown = markers
    }
  }
  return body + suffix + trailing
}

/**
 * Marker characters markdown-it shows as text (not inside code) for this source. A closer is kept
 * only if fewer show with it: the opener became syntax, whatever else it revealed (closing
 * `` `[a](b) `` shows `[a](b)` as code, not fewer characters).
 */
function visibleMarkers(md: MarkdownIt, source: string): number {
  let markers = 0
  const count = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'text') for (const char of token.content) if (MARKERS.has(char)) markers++
      if (token.children) count(token.children)
    }
  }
  count(md.parse(source, {}))
  return markers
}

const MARKERS = new Set(['*', '_', '~', '`', '[', ']', '(', ')'])

/** Characters markdown-it shows as text (or code) for this source. */
export function visibleLength(md: MarkdownIt, source: string): number {
  let length = 0
  const count = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'text' || token.type === 'code_inline') length += token.content.length
      if (token.children) count(token.children)
    }
  }
  count(md.parse(source, {}))
  return length
}
