import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { RenderContext } from './render.js'

/**
 * Highlights one code block. Return React nodes whose text is exactly `code` (tokens wrapped in
 * spans): the block keeps its text and its box, only colours change. May return a promise, so
 * the highlighter and its grammars can be loaded on first use.
 *
 * @example
 * const highlight: Highlighter = async (code, lang) => (await import('./shiki.js')).toReact(code, lang)
 */
export type Highlighter = (code: string, language: string) => ReactNode | Promise<ReactNode>

interface CodeBlockProps {
  code: string
  language: string
  /** False while the fence is still being written: it is highlighted once, when it closes. */
  complete: boolean
  context: RenderContext
}

/**
 * A code block: the plain text at once, then the highlighter's result in its place once it is
 * ready. A result whose text differs from the code is dropped, so highlighting cannot change
 * what the block says.
 */
export function CodeBlock({ code, language, complete, context }: CodeBlockProps) {
  const { highlight, components, labels, copyButton } = context
  const [result, setResult] = useState<{ code: string; language: string; node: ReactNode }>()
  const [refused, setRefused] = useState<ReactNode>()
  const [copied, setCopied] = useState(false)
  const codeRef = useRef<HTMLElement>(null)

  useEffect(() => {
    if (!complete || !highlight) return
    let live = true
    Promise.resolve()
      .then(() => highlight(code, language))
      .then(
        (node) => {
          if (live) setResult({ code, language, node })
        },
        () => {},
      )
    return () => {
      live = false
    }
  }, [code, language, complete, highlight])

  const shown = result && result.code === code && result.language === language && result.node !== refused
  useLayoutEffect(() => {
    if (shown && codeRef.current && codeRef.current.textContent !== code) setRefused(result.node)
  })

  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), 2000)
    return () => clearTimeout(timer)
  }, [copied])

  const Pre = components.pre ?? 'pre'
  const Code = components.code ?? 'code'
  const copy = () => {
    void navigator.clipboard?.writeText(code).then(
      () => setCopied(true),
      () => {},
    )
  }
  return (
    // Code reads left to right in a right-to-left answer too.
    <div data-rivulet="code-block" data-language={language || undefined} dir="ltr">
      <Pre>
        <Code
          ref={codeRef}
          className={language ? `language-${language}` : undefined}
          data-highlighted={shown ? '' : undefined}
        >
          {shown ? result.node : code}
        </Code>
      </Pre>
      {copyButton && (
        <button type="button" data-rivulet="copy-code" data-copied={copied ? '' : undefined} onClick={copy}>
          {copied ? labels.copied : labels.copy}
        </button>
      )}
    </div>
  )
}
