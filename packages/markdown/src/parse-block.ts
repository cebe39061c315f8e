import type { MarkdownIt, Token } from 'markdown-it'
import type { LinkReference } from './blocks.js'

/** The definitions a block is parsed against (the whole answer's, plus any assumed while streaming). */
export interface BlockDefinitions {
  references: Record<string, LinkReference>
  footnotes: ReadonlySet<string>
}

/** A block's tokens and what its rendering depends on beyond its own source. */
export interface ParsedBlock {
  source: string
  tokens: Token[]
  /** Reference labels the parser looked up, with what they resolved to then. */
  references: Map<string, string>
  /** Footnote labels the parser looked up, with whether they were defined then. */
  footnotes: Map<string, boolean>
  /** Footnote references outside footnote definitions, in order. */
  footnoteRefs: string[]
  /** Footnote definitions inside this block. */
  footnoteDefs: { label: string; tokens: Token[]; refs: string[] }[]
  /** Slug of each heading, in order (made unique across the answer by the caller). */
  headings: string[]
}

/**
 * Parses one block (inline content included) against the answer's definitions, recording which
 * labels it looked up: a settled block is parsed again only if one of those changes.
 */
export function parseBlock(md: MarkdownIt, source: string, definitions: BlockDefinitions): ParsedBlock {
  const references = new Map<string, string>()
  const footnotes = new Map<string, boolean>()
  const refTarget: Record<string, LinkReference> = { ...definitions.references }
  const fnTarget: Record<string, number> = {}
  for (const label of definitions.footnotes) fnTarget[`:${label}`] = -1
  const env = {
    references: new Proxy(refTarget, {
      get(target, key) {
        if (typeof key === 'string' && !references.has(key)) references.set(key, referenceKey(definitions, key))
        return target[key as string]
      },
    }),
    footnotes: {
      list: [],
      refs: new Proxy(fnTarget, {
        get(target, key) {
          if (typeof key === 'string' && key.startsWith(':') && !footnotes.has(key.slice(1))) {
            footnotes.set(key.slice(1), definitions.footnotes.has(key.slice(1)))
          }
          return target[key as string]
        },
      }),
    },
  }
  const tokens = md.parse(source, env)
  const parsed: ParsedBlock = {
    source,
    tokens,
    references,
    footnotes,
    footnoteRefs: [],
    footnoteDefs: [],
    headings: [],
  }
  let def: ParsedBlock['footnoteDefs'][number] | undefined
  let defDepth = 0
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.type === 'footnote_reference_open') {
      if (defDepth++ === 0) {
        def = { label: String(token.meta?.label ?? ''), tokens: [], refs: [] }
        parsed.footnoteDefs.push(def)
        continue
      }
    } else if (token.type === 'footnote_reference_close') {
      if (--defDepth === 0) {
        def = undefined
        continue
      }
    }
    if (def) def.tokens.push(token)
    if (token.type === 'heading_open') parsed.headings.push(slug(tokens[i + 1]?.children ?? []))
    for (const child of token.children ?? []) {
      if (child.type === 'footnote_ref') (def ? def.refs : parsed.footnoteRefs).push(String(child.meta?.label ?? ''))
    }
  }
  return parsed
}

/** True if the block would parse the same against these definitions as when it was parsed. */
export function stillValid(parsed: ParsedBlock, definitions: BlockDefinitions): boolean {
  for (const [label, key] of parsed.references) if (referenceKey(definitions, label) !== key) return false
  for (const [label, defined] of parsed.footnotes) if (definitions.footnotes.has(label) !== defined) return false
  return true
}

function referenceKey(definitions: BlockDefinitions, label: string): string {
  const ref = definitions.references[label]
  return ref ? `${ref.href}\n${ref.title}` : ''
}

function slug(inline: Token[]): string {
  let text = ''
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'text' || token.type === 'code_inline') text += token.content
      if (token.children) walk(token.children)
    }
  }
  walk(inline)
  return (
    text
      .toLowerCase()
      .trim()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s+/g, '-') || 'section'
  )
}
