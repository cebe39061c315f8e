import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'

// Resolved from this package, which depends on every package measured.
const root = new URL('../', import.meta.url).pathname

export interface BundleEntry {
  name: string
  /** The module text an app would write: what it imports and uses. */
  code: string
  external?: string[]
  /** Budget in bytes, gzip. */
  budget?: number
  /**
   * Where the budget is missed: the size (gzip) `pnpm test` holds the entry to instead, about
   * what it measures today, so it cannot grow unnoticed while it is over budget.
   */
  ceiling?: number
}

export interface BundleSize {
  name: string
  minified: number
  gzip: number
  brotli: number
  budget?: number
  ceiling?: number
}

/** Minified, gzip and brotli size of what an app's bundler would include for `entry`. */
export async function bundleSize(entry: BundleEntry): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: entry.code, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    conditions: ['@rivulet/source'],
    external: entry.external ?? [],
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  const bytes = result.outputFiles[0]?.contents ?? new Uint8Array()
  const size: BundleSize = {
    name: entry.name,
    minified: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  }
  if (entry.budget !== undefined) size.budget = entry.budget
  if (entry.ceiling !== undefined) size.ceiling = entry.ceiling
  return size
}

const react = ['react', 'react-dom', 'react/jsx-runtime']
const kB = 1000

/** Rivulet's packages: each entry whole, and what a typical app imports (with budgets). */
export const rivuletEntries: BundleEntry[] = [
  {
    name: '@rivulet/core (a chat over one provider: createChatSession + openaiCompatible)',
    code: `import { createChatSession, openaiCompatible } from '@rivulet/core'; console.log(createChatSession, openaiCompatible)`,
    budget: 8 * kB,
    ceiling: 20 * kB,
  },
  {
    name: '@rivulet/core (decode, every protocol)',
    code: `import { decode } from '@rivulet/core'; console.log(decode)`,
  },
  {
    name: '@rivulet/core (whole entry)',
    code: `export * from '@rivulet/core'`,
  },
  {
    name: '@rivulet/react (whole entry; react and core external)',
    code: `export * from '@rivulet/react'`,
    external: [...react, '@rivulet/core'],
    budget: 3 * kB,
  },
]

export const uiEntry: BundleEntry = {
  name: '@rivulet/ui (whole entry; react, core, hooks and markdown external)',
  code: `export * from '@rivulet/ui'`,
  external: [...react, '@rivulet/core', '@rivulet/react', '@rivulet/markdown'],
  budget: 8 * kB,
  ceiling: 12 * kB,
}

/** What users would pick instead. */
export const alternativeEntries: BundleEntry[] = [
  {
    name: 'ai + @ai-sdk/react (useChat)',
    code: `import { useChat } from '@ai-sdk/react'; console.log(useChat)`,
    external: react,
  },
  { name: 'eventsource-parser', code: `export * from 'eventsource-parser'` },
  { name: '@microsoft/fetch-event-source', code: `export * from '@microsoft/fetch-event-source'` },
]

/**
 * The markdown renderers compared in `pnpm bench --markdown`, without and with a highlighter.
 * Dynamic imports are bundled in (no code splitting): the sizes are all an app ships for each,
 * lazy chunks included. `@rivulet/markdown` takes any highlighter; Shiki's fine-grained core with
 * the answer's two languages and one theme is the one measured. react-markdown has none of its own.
 */
export const markdownEntries: BundleEntry[] = [
  {
    name: '@rivulet/markdown (Markdown)',
    code: `import { Markdown } from '@rivulet/markdown'; console.log(Markdown)`,
    external: react,
  },
  {
    name: '@rivulet/markdown + Shiki (shiki/core, JS regex engine, ts + sh, one theme)',
    code: `import { Markdown } from '@rivulet/markdown'
import { createHighlighterCore } from 'shiki/core'
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript'
console.log(Markdown, () => createHighlighterCore({
  engine: createJavaScriptRegexEngine(),
  langs: [import('shiki/langs/typescript.mjs'), import('shiki/langs/shellscript.mjs')],
  themes: [import('shiki/themes/github-light.mjs')],
}))`,
    external: react,
  },
  {
    name: 'streamdown (Streamdown)',
    code: `import { Streamdown } from 'streamdown'; console.log(Streamdown)`,
    external: react,
  },
  {
    name: 'streamdown + @streamdown/code (Shiki, every bundled language)',
    code: `import { Streamdown } from 'streamdown'; import { code } from '@streamdown/code'; console.log(Streamdown, code)`,
    external: react,
  },
  {
    name: 'react-markdown + remark-gfm',
    code: `import Markdown from 'react-markdown'; import remarkGfm from 'remark-gfm'; console.log(Markdown, remarkGfm)`,
    external: react,
  },
]
