import { describe, expect, it } from 'vitest'
import { hostnameOf, hostPolicy } from './hosts.js'

describe('hostPolicy', () => {
  it('accepts loopback names and addresses on any port by default', () => {
    const allowed = hostPolicy()
    for (const host of [
      'localhost',
      'localhost:8787',
      'app.localhost:5173',
      '127.0.0.1:8787',
      '127.1.2.3',
      '[::1]:8787',
    ])
      expect(allowed(host), host).toBe(true)
  })

  it('refuses other names, a missing header and headers that are not a host', () => {
    const allowed = hostPolicy()
    for (const host of [
      undefined,
      '',
      'evil.example',
      'evil.example:8787',
      '192.168.1.10:8787',
      'localhost.evil.example',
      'a b',
      'x@localhost',
    ])
      expect(allowed(host), String(host)).toBe(false)
  })

  it('adds configured names, addresses, domains, or everything', () => {
    const allowed = hostPolicy(['demo.example', '10.0.0.5', '.corp.example', '::2'])
    expect(allowed('demo.example:8787')).toBe(true)
    expect(allowed('10.0.0.5')).toBe(true)
    expect(allowed('api.corp.example')).toBe(true)
    expect(allowed('corp.example')).toBe(true)
    expect(allowed('[::2]:80')).toBe(true)
    expect(allowed('other.example')).toBe(false)
    expect(hostPolicy(['*'])('anything.example')).toBe(true)
  })

  it('reads the name without the port', () => {
    expect(hostnameOf('Example.COM:80')).toBe('example.com')
    expect(hostnameOf('[::1]:1')).toBe('[::1]')
    expect(hostnameOf('::1')).toBeUndefined()
  })
})
