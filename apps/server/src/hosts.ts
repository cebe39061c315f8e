/**
 * The `Host` header check against DNS rebinding: a page on `evil.example` whose name is made
 * to resolve to 127.0.0.1 reaches this server with `Host: evil.example`, and the browser
 * treats the answers as same-origin, so CORS never applies. Only the hosts this server is
 * known by are served, as dev servers (Vite, webpack) do; every other name gets 403.
 */

/** Loopback names and addresses: `localhost` and its subdomains, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    name === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(name)
  )
}

/** The name in a `Host` header, without its port; undefined for a header that is not a host. */
export function hostnameOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined
  const value = host.trim().toLowerCase()
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.exec(value)
  return match?.[1]
}

/**
 * The policy: loopback hosts always, plus `allowed` (names or IP addresses, `*` for any, and
 * `.example.com` for a domain and its subdomains).
 */
export function hostPolicy(allowed: readonly string[] = []): (host: string | undefined) => boolean {
  if (allowed.includes('*')) return () => true
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const entry of allowed) {
    const name = entry.trim().toLowerCase()
    if (name === '') continue
    if (name.startsWith('.')) suffixes.push(name)
    else exact.add(name.includes(':') && !name.startsWith('[') ? `[${name}]` : name)
  }
  return (host) => {
    const name = hostnameOf(host)
    if (name === undefined) return false
    if (isLoopbackHost(name) || exact.has(name)) return true
    return suffixes.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1))
  }
}
