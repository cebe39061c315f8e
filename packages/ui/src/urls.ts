/**
 * URLs from model output or attachments are checked before they become an `href` or `src`: the
 * WHATWG URL parser reads them as the browser would (case, whitespace, tabs, newlines), so a
 * disguised `javascript:` URL cannot pass as another scheme.
 */
function protocolOf(url: string): string | undefined {
  try {
    return new URL(url).protocol
  } catch {
    return undefined // relative or malformed: nothing to link to
  }
}

/** A source's link: only `http:` and `https:`. */
export function safeLinkUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined
  const protocol = protocolOf(url)
  return protocol === 'https:' || protocol === 'http:' ? url : undefined
}

/** A file's or image's URL: only `data:`, `https:` and `blob:`, as core's file parts promise. */
export function safeFileUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined
  const protocol = protocolOf(url)
  return protocol === 'data:' || protocol === 'https:' || protocol === 'blob:' ? url : undefined
}
