import type { Token } from 'markdown-it'
import { type HTMLAttributes, memo, useId, useMemo, useRef, useState } from 'react'
import { createBlockSplitter, type LinkReference, type MarkdownBlock } from './blocks.js'
import type { Highlighter } from './code-block.js'
import { type BlockDefinitions, type ParsedBlock, parseBlock, stillValid } from './parse-block.js'
import { markdownParser } from './parser.js'
import {
  type BlockLayout,
  defaultLabels,
  footnoteId,
  footnoteRefId,
  type MarkdownComponents,
  type MarkdownLabels,
  type RenderContext,
  renderTokens,
} from './render.js'
import { repairGrowingBlock } from './repair.js'

export interface MarkdownProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  /** The markdown source: the whole answer so far. */
  text: string
  /**
   * True while the text is still growing: unfinished syntax at its end renders as it will once
   * closed. When it turns false the render is exactly that of the whole text.
   */
  streaming?: boolean
  /** Element replacements, as in react-markdown. Keep the object stable (module scope or useMemo). */
  components?: MarkdownComponents
  /** Images render only where this returns true (after the same URL check links get); otherwise their alt text. */
  allowImage?: (src: string) => boolean
  /** Code highlighter, called once per finished code block; see {@link Highlighter}. */
  highlight?: Highlighter
  /** A copy button on each code block (default true). */
  copyButton?: boolean
  labels?: Partial<MarkdownLabels>
}

/**
 * Renders CommonMark + GFM as React elements: never through an HTML string, raw HTML shows as
 * text, links only `http:`, `https:`, `mailto:`, relative or `#fragment`, images only where
 * `allowImage` says. While `streaming`, finished blocks are neither parsed nor rendered again
 * and the growing one is repaired so no raw marker flashes.
 *
 * @example
 * <Markdown text={message.content} streaming={message.status === 'streaming'} />
 */
export function Markdown({
  text,
  streaming = false,
  components,
  allowImage,
  highlight,
  copyButton = true,
  labels,
  ...rest
}: MarkdownProps) {
  const md = markdownParser()
  const idPrefix = `md${useId().replace(/[^\w-]/g, '')}`
  const [state] = useState(() => ({
    splitter: createBlockSplitter(md),
    parsed: new Map<number, ParsedBlock>(),
    mentions: new Map<number, Mentions>(),
    definitionsKey: '',
  }))
  const stableComponents = useShallowStable(components ?? {})
  const stableLabels = useShallowStable(labels ?? {})
  const context = useMemo<RenderContext>(
    () => ({
      components: stableComponents,
      allowImage,
      highlight,
      copyButton,
      labels: { ...defaultLabels, ...stableLabels },
      idPrefix,
    }),
    [stableComponents, allowImage, highlight, copyButton, stableLabels, idPrefix],
  )

  const split = state.splitter.update(text)
  // Reference definitions render nothing: 25,000 of them should not be 25,000 parsed blocks.
  const blocks = split.blocks.filter((block) => !block.definitions)
  const definitions = withMentions(state.mentions, blocks, split.definitions, streaming)
  const definitionsKey = `${split.definitions.version}:${streaming}:${definitions.key}`
  const revalidate = definitionsKey !== state.definitionsKey
  state.definitionsKey = definitionsKey

  const seen = new Set<number>()
  const growing = split.blocks.at(-1)
  const entries = blocks.map((block) => {
    const live = streaming && block === growing
    const source = live ? repairGrowingBlock(md, block.source) : block.source
    seen.add(block.key)
    let parsed = state.parsed.get(block.key)
    if (!parsed || parsed.source !== source || (revalidate && !stillValid(parsed, definitions))) {
      parsed = parseBlock(md, source, definitions)
      state.parsed.set(block.key, parsed)
    }
    return { block, parsed, live }
  })
  for (const key of state.parsed.keys()) if (!seen.has(key)) state.parsed.delete(key)

  const { layouts, notes } = layout(entries, idPrefix)
  return (
    <div data-rivulet="markdown" data-streaming={streaming ? '' : undefined} {...rest}>
      {entries.map(({ block, parsed }, index) =>
        block.footnote === undefined ? (
          <Block key={block.key} parsed={parsed} layout={layouts[index]!} context={context} />
        ) : null,
      )}
      {notes.length > 0 && (
        <section data-footnotes="" aria-labelledby={`${idPrefix}-footnotes`}>
          <h2 id={`${idPrefix}-footnotes`} data-rivulet="footnotes-label">
            {context.labels.footnotes}
          </h2>
          <ol>
            {notes.map((note) => (
              <Footnote key={note.number} {...note} context={context} />
            ))}
          </ol>
        </section>
      )}
    </div>
  )
}

interface BlockProps {
  parsed: ParsedBlock
  layout: BlockLayout
  context: RenderContext
}

/** One block: rendered again only when its tokens, its ids or its footnote numbers change. */
const Block = memo(
  function Block({ parsed, layout, context }: BlockProps) {
    return renderTokens(parsed.tokens, context, layout)
  },
  (a, b) => a.parsed === b.parsed && a.context === b.context && sameLayout(a.layout, b.layout),
)

interface FootnoteProps {
  number: number
  tokens: ParsedBlock['tokens']
  layout: BlockLayout
  /** How many times the note is referenced: one back link each. */
  references: number
  context: RenderContext
}

const Footnote = memo(
  function Footnote({ number, tokens, layout, references, context }: FootnoteProps) {
    return (
      <li id={footnoteId(context, number)}>
        {renderTokens(tokens, context, layout)}
        {Array.from({ length: references }, (_, occurrence) => (
          <a
            // biome-ignore lint/suspicious/noArrayIndexKey: one link per reference, in order
            key={occurrence}
            href={`#${footnoteRefId(context, number, occurrence)}`}
            data-footnote-backref=""
            aria-label={context.labels.backToReference(number)}
          >
            {'\u21a9\ufe0e'}
          </a>
        ))}
      </li>
    )
  },
  (a, b) =>
    a.tokens === b.tokens &&
    a.number === b.number &&
    a.references === b.references &&
    a.context === b.context &&
    sameLayout(a.layout, b.layout),
)

function sameLayout(a: BlockLayout, b: BlockLayout): boolean {
  return (
    a.live === b.live &&
    a.headingIds.length === b.headingIds.length &&
    a.headingIds.every((id, i) => id === b.headingIds[i]) &&
    a.footnotes.length === b.footnotes.length &&
    a.footnotes.every((f, i) => f.number === b.footnotes[i]?.number && f.occurrence === b.footnotes[i]?.occurrence)
  )
}

interface Entry {
  block: MarkdownBlock
  parsed: ParsedBlock
  live: boolean
}

/**
 * Numbers footnotes by first reference and makes heading ids unique across the whole answer:
 * a pass over the blocks' lists, not their text, so it stays cheap as the answer grows.
 */
function layout(entries: Entry[], idPrefix: string) {
  const numbers = new Map<string, { number: number; count: number }>()
  const assign = (label: string) => {
    let entry = numbers.get(label)
    if (!entry) numbers.set(label, (entry = { number: numbers.size + 1, count: 0 }))
    return { number: entry.number, occurrence: entry.count++ }
  }
  const slugs = new Map<string, number>()
  const headingId = (slug: string) => {
    const seen = slugs.get(slug) ?? 0
    slugs.set(slug, seen + 1)
    return `${idPrefix}-${seen === 0 ? slug : `${slug}-${seen}`}`
  }
  const layouts = entries.map(({ parsed, live }) => ({
    footnotes: parsed.footnoteRefs.map(assign),
    headingIds: parsed.headings.map(headingId),
    // Only code blocks (not highlighted yet) and links being written render differently while
    // live, so a paragraph that settles is not rendered again for it.
    live: live && parsed.tokens.some(rendersLive),
  }))
  // The first definition of each label, in document order.
  const defs = new Map<string, { tokens: ParsedBlock['tokens']; refs: string[]; live: boolean }>()
  for (const { parsed, live } of entries) {
    for (const def of parsed.footnoteDefs) if (!defs.has(def.label)) defs.set(def.label, { ...def, live })
  }
  const notes: Omit<FootnoteProps, 'context'>[] = []
  for (const [label, { number }] of [...numbers]) {
    const def = defs.get(label)
    if (!def) continue
    notes.push({
      number,
      tokens: def.tokens,
      layout: { footnotes: def.refs.map(assign), headingIds: [], live: def.live },
      references: 0,
    })
  }
  for (const note of notes) {
    const label = [...numbers].find(([, entry]) => entry.number === note.number)?.[0]
    note.references = label === undefined ? 0 : (numbers.get(label)?.count ?? 0)
  }
  return { layouts, notes }
}

function rendersLive(token: Token): boolean {
  return (
    token.type === 'fence' ||
    token.type === 'code_block' ||
    (token.children?.some((child) => child.type === 'link_open' && child.attrGet('href') === '') ?? false)
  )
}

interface Mentions {
  source: string
  references: string[]
  footnotes: string[]
}

/**
 * While streaming, a `[text][label]` or `[^label]` whose definition has not arrived yet (models
 * put them at the end) renders as the link or footnote it will be, not as brackets. Once the
 * stream ends only real definitions count, so the final render is that of the whole text.
 */
function withMentions(
  cache: Map<number, Mentions>,
  blocks: MarkdownBlock[],
  definitions: BlockDefinitions,
  streaming: boolean,
): BlockDefinitions & { key: string } {
  if (!streaming) return { ...definitions, key: '' }
  const references: Record<string, LinkReference> = { ...definitions.references }
  const footnotes = new Set(definitions.footnotes)
  let assumed = ''
  for (const block of blocks) {
    let mentions = cache.get(block.key)
    if (mentions?.source !== block.source) {
      mentions = {
        source: block.source,
        references: [...block.source.matchAll(/\]\[([^\]\n]+)\]/g)].map((m) => normalizeLabel(m[1]!)),
        footnotes: [...block.source.matchAll(/\[\^([^\]\s]+)\]/g)].map((m) => m[1]!),
      }
      cache.set(block.key, mentions)
    }
    for (const label of mentions.references) {
      if (!(label in references)) {
        references[label] = { href: '', title: '' }
        assumed += `r${label}\n`
      }
    }
    for (const label of mentions.footnotes) {
      if (!footnotes.has(label)) {
        footnotes.add(label)
        assumed += `f${label}\n`
      }
    }
  }
  return { references, footnotes, key: assumed }
}

/** markdown-it's reference label normalization (case fold, collapsed whitespace). */
function normalizeLabel(label: string): string {
  return markdownParser().utils.normalizeReference(label)
}

/** The same object while its entries are the same, so an inline `components={{…}}` keeps blocks memoized. */
function useShallowStable<T extends object>(value: T): T {
  const ref = useRef(value)
  const previous = ref.current
  const keys = Object.keys(value)
  const same =
    keys.length === Object.keys(previous).length &&
    keys.every((key) => (value as Record<string, unknown>)[key] === (previous as Record<string, unknown>)[key])
  if (!same) ref.current = value
  return same ? previous : value
}
