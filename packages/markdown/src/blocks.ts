import type { MarkdownIt, Token } from 'markdown-it'
import { normalizeSource } from './parser.js'

/** One top-level block of the answer, as markdown-it's block parser delimits it. */
export interface MarkdownBlock {
  /** Offset of the block's first line in the text: stable while the text grows. */
  key: number
  /** The block's source lines (normalized line endings). */
  source: string
  /** True once text after it has settled where it ends: it never changes again. */
  final: boolean
  /** Set on a footnote definition (`[^label]: …`), which renders in the footnotes section. */
  footnote?: string
  /** True for link reference definitions only (`[label]: url`): nothing of them renders. */
  definitions?: boolean
}

export interface LinkReference {
  href: string
  title: string
}

/** Reference link and footnote definitions of the whole answer: they apply in every block. */
export interface Definitions {
  /** By normalized label (markdown-it's key), first definition wins. */
  references: Record<string, LinkReference>
  /** Labels that have a footnote definition. */
  footnotes: Set<string>
  /** Changes whenever either of the above does. */
  version: number
}

export interface BlockSplit {
  blocks: MarkdownBlock[]
  definitions: Definitions
}

interface Group {
  startLine: number
  endLine: number
  footnote?: string
  /** Labels of the reference and footnote definitions inside, at any depth. */
  referenceLabels: string[]
  footnoteLabels: string[]
  definitionsOnly: boolean
}

/**
 * Splits a growing answer into top-level blocks where markdown-it's block parser ends them,
 * re-parsing only the unsettled tail on each update. A block is settled once a block after it
 * begins on a finished line (one that has its newline): CommonMark closes blocks line by line, so
 * nothing written later can reopen it. That is what keeps a list's continuation paragraph in its
 * list and indented code with a blank line in one block, unlike cutting at blank lines. A block
 * that a later line may still change (a paragraph that a `===` line turns into a heading, a
 * line that a delimiter row turns into a table header) is the last block until then, so it is
 * never frozen early.
 *
 * Reference and footnote definitions are collected for the whole answer, so `[text][ref]` and
 * `[^1]` resolve whichever block defines them.
 *
 * @example
 * const split = createBlockSplitter(md)
 * split.update('# Title\n\nSome te').blocks // [{ source: '# Title\n', final: true }, { source: 'Some te', final: false }]
 */
export function createBlockSplitter(md: MarkdownIt) {
  let frozen: MarkdownBlock[] = []
  let frozenText = ''
  let frozenReferences: Record<string, LinkReference> = {}
  let frozenFootnotes = new Set<string>()
  let version = 0
  let tailSignature = ''
  let last: { text: string; split: BlockSplit } | undefined

  function reset() {
    frozen = []
    frozenText = ''
    frozenReferences = {}
    frozenFootnotes = new Set()
    version++
  }

  function update(text: string): BlockSplit {
    if (last?.text === text) return last.split
    if (!text.startsWith(frozenText)) reset()
    const start = frozenText.length
    const raw = text.slice(start)
    const source = normalizeSource(raw)
    const env: Record<string, unknown> = {}
    const tokens: Token[] = []
    md.block.parse(source, md, env, tokens)
    const groups = topLevelGroups(tokens)
    const rawLines = lineStarts(raw, /\r\n?|\n/g)
    const lines = lineStarts(source, /\n/g)
    // The last line without its newline may still turn into anything (`-` into `---`, `*` into
    // `***bold***`): only blocks before the last one that starts on a finished line are settled.
    const partialLine = source.endsWith('\n') || source === '' ? Number.POSITIVE_INFINITY : lines.length - 1
    let settled = 0
    for (let i = 0; i < groups.length; i++) if (groups[i]!.startLine < partialLine) settled = i
    if (settled > 0) {
      const end = groups[settled - 1]!.endLine
      for (const group of groups.slice(0, settled)) frozen.push(toBlock(group, source, lines, rawLines, start, true))
      const segment = raw.slice(0, rawLines[end] ?? raw.length)
      // The settled blocks' definitions, from this parse (the first definition of a label in this
      // source is in the settled part if the settled part has one).
      const references = (env.references ?? {}) as Record<string, LinkReference>
      for (const group of groups.slice(0, settled)) {
        for (const label of group.referenceLabels) {
          if (!(label in frozenReferences) && references[label]) frozenReferences[label] = references[label]
        }
        for (const label of group.footnoteLabels) frozenFootnotes.add(label)
      }
      frozenText = text.slice(0, start + segment.length)
      version++
    }
    const tail = groups.slice(settled).map((group) => toBlock(group, source, lines, rawLines, start, false))
    const references = { ...frozenReferences }
    const footnotes = new Set(frozenFootnotes)
    addDefinitions(env, references, footnotes)
    const signature = JSON.stringify([env.references ?? {}, Object.keys(footnoteRefs(env))])
    if (signature !== tailSignature) {
      tailSignature = signature
      version++
    }
    const split = { blocks: [...frozen, ...tail], definitions: { references, footnotes, version } }
    last = { text, split }
    return split
  }

  return { update }
}

function footnoteRefs(env: Record<string, unknown>): Record<string, number> {
  return (env.footnotes as { refs?: Record<string, number> } | undefined)?.refs ?? {}
}

function addDefinitions(
  env: Record<string, unknown>,
  references: Record<string, LinkReference>,
  footnotes: Set<string>,
): void {
  for (const [label, ref] of Object.entries((env.references as Record<string, LinkReference>) ?? {})) {
    if (!(label in references)) references[label] = ref
  }
  // markdown-it-footnote keys its labels as `:label`.
  for (const key of Object.keys(footnoteRefs(env))) footnotes.add(key.slice(1))
}

function toBlock(
  group: Group,
  source: string,
  lines: number[],
  rawLines: number[],
  offset: number,
  final: boolean,
): MarkdownBlock {
  const block: MarkdownBlock = {
    key: offset + (rawLines[group.startLine] ?? 0),
    source: source.slice(lines[group.startLine] ?? source.length, lines[group.endLine] ?? source.length),
    final,
  }
  if (group.footnote !== undefined) block.footnote = group.footnote
  if (group.definitionsOnly) block.definitions = true
  return block
}

/** Line ranges of the top-level token groups (a container and everything inside it). */
function topLevelGroups(tokens: Token[]): Group[] {
  const groups: Group[] = []
  let current: Group | undefined
  let depth = 0
  for (const token of tokens) {
    if (depth === 0) {
      current = {
        startLine: Number.POSITIVE_INFINITY,
        endLine: 0,
        referenceLabels: [],
        footnoteLabels: [],
        definitionsOnly: token.type === 'reference_definition',
      }
      if (token.type === 'footnote_reference_open') current.footnote = String(token.meta?.label ?? '')
      groups.push(current)
    }
    // markdown-it keeps `reference_definition` tokens in a block-only parse (md.parse strips them).
    if (token.type === 'reference_definition') current?.referenceLabels.push(String(token.meta?.label ?? ''))
    if (token.type === 'footnote_reference_open') current?.footnoteLabels.push(String(token.meta?.label ?? ''))
    depth += token.nesting
    // markdown-it-footnote gives its open token no map; the lines inside it have theirs.
    if (token.map && current) {
      current.startLine = Math.min(current.startLine, token.map[0])
      current.endLine = Math.max(current.endLine, token.map[1])
    }
  }
  // A footnote definition with nothing after its colon has no lines of its own to render.
  return groups.filter((group) => group.startLine !== Number.POSITIVE_INFINITY)
}

function lineStarts(text: string, breaks: RegExp): number[] {
  const starts = [0]
  for (const match of text.matchAll(breaks)) starts.push(match.index + match[0].length)
  return starts
}
