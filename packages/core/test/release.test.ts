/**
 * What a release needs besides working code: the license in every package, public access, and
 * changesets writing each published package's CHANGELOG (run on a copy of the manifests, so the
 * checkout is untouched).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { publishedPackages, readJson, root, run } from '../../../tools/pack/src/pack.js'

const packages = publishedPackages()
const license = readFileSync(join(root, 'LICENSE'), 'utf8')

describe('license and publish settings', () => {
  it('the root LICENSE is the MIT license', () => {
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /)
    expect(license).toContain('Permission is hereby granted, free of charge')
  })

  it.each(packages)('$manifest.name has the MIT LICENSE, license "MIT" and public access', ({ dir, manifest }) => {
    expect(readFileSync(join(root, 'packages', dir, 'LICENSE'), 'utf8')).toBe(license)
    expect(manifest.license).toBe('MIT')
    expect(manifest.publishConfig).toEqual(expect.objectContaining({ access: 'public' }))
  })

  it('pnpm release builds, then dry-runs publishing every package', () => {
    const { scripts = {} } = readJson<{ scripts?: Record<string, string> }>(join(root, 'package.json'))
    expect(scripts.release).toMatch(/^pnpm build && pnpm run release:dry-run$/)
    expect(scripts['release:dry-run']).toMatch(/pnpm -r .*publish --dry-run/)
  })
})

describe('changesets', () => {
  const copy = mkdtempSync(join(tmpdir(), 'rivulet-changesets-'))
  afterAll(() => rmSync(copy, { recursive: true, force: true }))

  it('`changeset version` writes a CHANGELOG for every published package and keeps workspace: ranges', async () => {
    // The workspace's manifests and the pending changesets, nothing else.
    for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, file), join(copy, file))
    cpSync(join(root, '.changeset'), join(copy, '.changeset'), { recursive: true })
    for (const group of ['packages', 'apps', 'tools', 'benchmarks']) {
      const dirs = group === 'benchmarks' ? [''] : existsSync(join(root, group)) ? readdirSync(join(root, group)) : []
      for (const dir of dirs) {
        const manifest = join(root, group, dir, 'package.json')
        if (!existsSync(manifest)) continue
        mkdirSync(dirname(join(copy, group, dir, 'package.json')), { recursive: true })
        cpSync(manifest, join(copy, group, dir, 'package.json'))
        const changelog = join(root, group, dir, 'CHANGELOG.md')
        if (existsSync(changelog)) cpSync(changelog, join(copy, group, dir, 'CHANGELOG.md'))
      }
    }
    // Whatever is pending, one more changeset bumps every package, so each must get a CHANGELOG.
    writeFileSync(
      join(copy, '.changeset', 'release-check.md'),
      `---\n${packages.map((pkg) => `"${pkg.manifest.name}": patch`).join('\n')}\n---\n\nRelease check.\n`,
    )
    await run(join(root, 'node_modules', '.bin', 'changeset'), ['version'], copy)
    for (const { dir, manifest } of packages) {
      const bumped = readJson(join(copy, 'packages', dir, 'package.json'))
      expect(bumped.version).not.toBe(manifest.version)
      const changelog = readFileSync(join(copy, 'packages', dir, 'CHANGELOG.md'), 'utf8')
      expect(changelog).toContain(`# ${manifest.name}\n\n## ${bumped.version}`)
      expect(changelog).toContain('Release check.')
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        if (range.startsWith('workspace:')) expect(bumped.dependencies?.[name]).toBe(range)
      }
    }
    expect(readdirSync(join(copy, '.changeset')).filter((file) => file.endsWith('.md'))).toEqual(['README.md'])
  }, 60_000)
})
