// The suites in this run see React 18.3 and @tanstack/react-query 5.86.0 (the lowest versions
// the packages' peer ranges admit), and no other copy: otherwise this run tests nothing new.
import { createRequire } from 'node:module'
import { QueryClient } from '@tanstack/react-query'
import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'

const peers = (name: string) =>
  createRequire(import.meta.url)(`../../../packages/${name}/package.json`).peerDependencies as Record<string, string>

describe('React 18 run', () => {
  it('loads React 18.3 and react-dom 18.3', () => {
    expect(version).toMatch(/^18\.3\./)
    expect(domVersion).toMatch(/^18\.3\./)
    expect(renderToString(null)).toBe('')
  })

  it('loads the lowest @tanstack/react-query @rivulet/react claims', async () => {
    const manifest = createRequire(import.meta.url)('@tanstack/react-query/package.json') as { version: string }
    expect(`^${manifest.version}`).toBe(peers('react')['@tanstack/react-query'])
    expect(new QueryClient()).toBeDefined()
  })

  it('tests the lowest React the packages claim', () => {
    for (const name of ['react', 'ui', 'markdown']) expect(peers(name).react).toMatch(/^\^18\.3\.0 \|\| /)
  })
})
