import { describe, expect, it } from 'vitest'
import { optionsFromEnv } from './config.js'
import { isAllowedHeader, isLocalOrigin, originPolicy } from './cors.js'

describe('optionsFromEnv', () => {
  it('reads port, host, upstream, origins and limits', () => {
    expect(
      optionsFromEnv({
        PORT: '9000',
        HOST: '0.0.0.0',
        RIVULET_UPSTREAM_URL: 'http://localhost:11434/v1',
        RIVULET_UPSTREAM_API_KEY: 'k',
        RIVULET_CORS_ORIGINS: 'https://a.example, https://b.example',
        RIVULET_RATE_LIMIT: '0',
        RIVULET_MAX_STREAMS: '50',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      upstream: { url: 'http://localhost:11434/v1', apiKey: 'k' },
      corsOrigins: ['https://a.example', 'https://b.example'],
      limits: { rateLimit: false, maxConcurrentStreams: 50 },
    })
    expect(optionsFromEnv({})).toEqual({})
  })

  it('reads the allowed hosts and the per-client stream cap', () => {
    expect(
      optionsFromEnv({ RIVULET_ALLOWED_HOSTS: 'demo.example, .corp.example', RIVULET_MAX_STREAMS_PER_CLIENT: '8' }),
    ).toEqual({ allowedHosts: ['demo.example', '.corp.example'], limits: { maxStreamsPerClient: 8 } })
  })

  it('refuses a number that is not one', () => {
    expect(() => optionsFromEnv({ PORT: 'eighty' })).toThrow(/PORT/)
  })
})

describe('CORS policy', () => {
  it('allows local origins on any port by default', () => {
    expect(isLocalOrigin('http://localhost:5173')).toBe(true)
    expect(isLocalOrigin('http://127.0.0.1:6006')).toBe(true)
    expect(isLocalOrigin('http://[::1]:3000')).toBe(true)
    expect(isLocalOrigin('http://localhost.evil.example')).toBe(false)
    expect(isLocalOrigin('null')).toBe(false)
  })

  it('follows an allowlist, or everything with *', () => {
    const policy = originPolicy(['https://app.example/'])
    expect(policy('https://app.example')).toBe(true)
    expect(policy('http://localhost:5173')).toBe(false)
    expect(originPolicy(['*'])('https://any.example')).toBe(true)
  })

  it('allows the Rivulet, provider and SDK headers only', () => {
    for (const name of [
      'Authorization',
      'x-api-key',
      'anthropic-beta',
      'x-rivulet-anything',
      'last-event-id',
      'x-stainless-os',
    ])
      expect(isAllowedHeader(name)).toBe(true)
    expect(isAllowedHeader('x-forwarded-for')).toBe(false)
  })
})
