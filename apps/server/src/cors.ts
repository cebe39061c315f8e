/**
 * CORS for browser clients (the demo app, Storybook, tests in a browser). Origins are an
 * allowlist; request headers are the ones Rivulet and the provider SDKs send. The stream id
 * header is exposed so a browser can resume and cancel.
 */
import { STREAM_ID_HEADER } from '@rivulet/core'
import type { MiddlewareHandler } from 'hono'
import { errorResponse, flavorOf } from './errors.js'

const ALLOWED_HEADERS = new Set([
  'accept',
  'authorization',
  'cache-control',
  'content-type',
  'last-event-id',
  'x-api-key',
  'x-requested-with',
])
/** Families of headers: Rivulet's own, Anthropic's (`anthropic-version`, `anthropic-beta`…), the SDKs' telemetry. */
const ALLOWED_PREFIXES = ['x-rivulet-', 'anthropic-', 'x-stainless-', 'openai-']
const EXPOSED_HEADERS = [STREAM_ID_HEADER, 'retry-after', 'retry-after-ms'].join(', ')

/** Local development origins on any port: localhost, 127.0.0.1, [::1]. */
export function isLocalOrigin(origin: string): boolean {
  try {
    const url = new URL(origin)
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
    )
  } catch {
    return false
  }
}

/** An allowlist (`*` allows every origin); without one, local origins only. */
export function originPolicy(origins: readonly string[] | undefined): (origin: string) => boolean {
  if (origins === undefined) return isLocalOrigin
  if (origins.includes('*')) return () => true
  const allowed = new Set(origins.map((origin) => origin.replace(/\/+$/, '')))
  return (origin) => allowed.has(origin)
}

export function isAllowedHeader(name: string): boolean {
  const lower = name.trim().toLowerCase()
  return ALLOWED_HEADERS.has(lower) || ALLOWED_PREFIXES.some((prefix) => lower.startsWith(prefix))
}

/**
 * Preflights are answered here. A request from an origin outside the list is refused (403)
 * instead of being served and hidden from the page: the page could not read it anyway, and
 * the server does no work for it.
 */
export function cors(isAllowed: (origin: string) => boolean): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin')
    if (origin === undefined) return next()
    if (!isAllowed(origin))
      return errorResponse(flavorOf(c.req.path), { status: 403, message: `Origin ${origin} is not allowed` })
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) {
      const requested = (c.req.header('access-control-request-headers') ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== '' && isAllowedHeader(name))
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
          'access-control-allow-headers': requested.join(', '),
          'access-control-max-age': '600',
          vary: 'origin, access-control-request-headers',
        },
      })
    }
    await next()
    c.res.headers.set('access-control-allow-origin', origin)
    c.res.headers.set('access-control-expose-headers', EXPOSED_HEADERS)
    c.res.headers.append('vary', 'origin')
  }
}
