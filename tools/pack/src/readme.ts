/**
 * Fenced code from a README, as a reader copies it: the quick start (the first TypeScript
 * block) and the blocks of a named section.
 */
export interface CodeBlock {
  /** `ts`, `tsx`, `sh`, … as written after the fence. */
  lang: string
  code: string
  /** The `##` / `###` heading path above the block, e.g. `['Recipes', 'Drop mid-stream']`. */
  headings: string[]
}

const fence = /^(`{3,}|~{3,})\s*([\w-]*)[^\n]*$/

/** Every fenced block in `markdown`, in order, with the headings it sits under. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const headings: string[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const heading = /^(#{2,6})\s+(.*)$/.exec(line)
    if (heading) {
      const depth = (heading[1]?.length ?? 2) - 2
      headings.length = depth
      headings[depth] = heading[2]?.trim() ?? ''
      continue
    }
    const open = fence.exec(line)
    if (!open) continue
    const marker = open[1] ?? '```'
    const body: string[] = []
    for (i++; i < lines.length && !(lines[i] ?? '').startsWith(marker); i++) body.push(lines[i] ?? '')
    blocks.push({ lang: open[2] ?? '', code: `${body.join('\n')}\n`, headings: [...headings] })
  }
  return blocks
}

const typescript = new Set(['ts', 'tsx', 'typescript'])

/** The package's quick start: the first TypeScript block, before any `##` section. */
export function quickStart(markdown: string): CodeBlock | undefined {
  return codeBlocks(markdown).find((block) => typescript.has(block.lang) && block.headings.length === 0)
}

/** The TypeScript blocks under the `##` section `title` (its subsections included). */
export function section(markdown: string, title: string): CodeBlock[] {
  return codeBlocks(markdown).filter((block) => typescript.has(block.lang) && block.headings[0] === title)
}
