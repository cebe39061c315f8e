/** What a link's destination may be once markdown-it has decoded its entities and escapes. */
export type LinkKind = 'external' | 'mailto' | 'relative' | 'fragment'

const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto'])

/**
 * Classifies a link destination, or returns `undefined` when it must not become an href.
 * Allowed: `http:`, `https:`, `mailto:`, relative URLs and `#fragment`s. The check runs on the
 * final string, the way a browser reads it (WHATWG URL: leading/trailing C0 controls and spaces
 * are dropped, tabs and newlines removed anywhere), so `JaVaScRiPt:`, ` javascript:`, `java\tscript:`
 * and decoded `&#106;avascript:` are all refused. React is no help here: React 19 turns a
 * `javascript:` href into another `javascript:` URL instead of dropping it.
 *
 * @example
 * linkKind('https://example.com') // 'external'
 * linkKind('JaVaScRiPt:alert(1)') // undefined
 */
export function linkKind(href: string): LinkKind | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers strip exactly these
  const url = href.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '')
  // A colon before any `/`, `?` or `#` makes what precedes it a scheme (RFC 3986 §3.1).
  // Anything else before a colon (`foo):`) is not a scheme to a browser either: a relative path.
  const scheme = /^([^/?#]*?):/.exec(url)?.[1]
  if (scheme !== undefined && /^[a-z][a-z\d+.-]*$/i.test(scheme)) {
    const name = scheme.toLowerCase()
    if (!ALLOWED_SCHEMES.has(name)) return undefined
    return name === 'mailto' ? 'mailto' : 'external'
  }
  if (url.startsWith('//')) return 'external'
  if (url.startsWith('#')) return 'fragment'
  return 'relative'
}
