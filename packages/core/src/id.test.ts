import { afterEach, describe, expect, it, vi } from 'vitest'
import { randomId } from './id.js'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('randomId', () => {
  it('uses crypto.randomUUID where it exists', () => {
    vi.stubGlobal('crypto', { randomUUID: () => 'from-random-uuid', getRandomValues: () => {} })
    expect(randomId()).toBe('from-random-uuid')
  })

  it('without randomUUID (an insecure context) builds a UUID v4 from crypto.getRandomValues only', () => {
    const real = globalThis.crypto
    const getRandomValues = vi.fn(<T extends Uint8Array<ArrayBuffer>>(array: T) => real.getRandomValues(array))
    vi.stubGlobal('crypto', { getRandomValues })
    const random = vi.spyOn(Math, 'random')
    const now = vi.spyOn(Date, 'now')

    const ids = Array.from({ length: 1000 }, () => randomId())

    for (const id of ids) expect(id).toMatch(UUID_V4)
    expect(new Set(ids).size).toBe(ids.length)
    expect(getRandomValues).toHaveBeenCalledTimes(ids.length)
    expect(getRandomValues.mock.calls[0]?.[0]).toHaveProperty('length', 16)
    expect(random).not.toHaveBeenCalled()
    expect(now).not.toHaveBeenCalled()
  })

  it('keeps every random bit but the version and variant', () => {
    vi.stubGlobal('crypto', { getRandomValues: (array: Uint8Array) => array.fill(0xff) })
    expect(randomId()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
    vi.stubGlobal('crypto', { getRandomValues: (array: Uint8Array) => array.fill(0) })
    expect(randomId()).toBe('00000000-0000-4000-8000-000000000000')
  })

  it('refuses to make a guessable id when the platform has no CSPRNG', () => {
    vi.stubGlobal('crypto', undefined)
    expect(() => randomId()).toThrow(/getRandomValues/)
  })
})
