/**
 * The packages as a user gets them: every package built and packed as a release does, the
 * tarballs installed together into a fresh project outside the workspace (only the tarballs and
 * public packages from the registry), and used there the way the READMEs say. Everything else in
 * the workspace runs against the TypeScript sources; this is the test that a broken `exports`
 * map, a missing file in `files` or a `workspace:` range left in a tarball fails.
 * About 1–2 minutes on 2 cores, most of it the build; RIVULET_KEEP_PACKED=1 keeps the temp folder
 * (tarballs and the consumer project) for a look afterwards.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildAndPack,
  installConsumer,
  listFiles,
  type Packed,
  pnpm,
  publishedPackages,
  readJson,
  root,
  run,
  unpack,
} from '../../../tools/pack/src/pack.js'

const minutes = 60_000
let packed: Packed
let consumer: string
const unpacked = new Map<string, string>()

beforeAll(async () => {
  packed = await buildAndPack()
  for (const pkg of packed.packages) unpacked.set(pkg.dir, await unpack(packed, pkg))
  const started = Date.now()
  consumer = await installConsumer(packed)
  packed.timings.install = Date.now() - started
}, 10 * minutes)

afterAll(async () => {
  if (packed) console.info(`packed packages: build, pack and install took ${JSON.stringify(packed.timings)} ms`)
  if (packed && !process.env.RIVULET_KEEP_PACKED) await rm(packed.dir, { recursive: true, force: true })
})

const packages = publishedPackages()

describe.each(packages)('the tarball of $manifest.name', (pkg) => {
  const files = () => listFiles(unpacked.get(pkg.dir) ?? '')

  it('carries the MIT LICENSE, the README and the built dist', () => {
    const dir = unpacked.get(pkg.dir) ?? ''
    expect(files()).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js']))
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'))
  })

  it('has no workspace: range left in its manifest', () => {
    const manifest = readFileSync(join(unpacked.get(pkg.dir) ?? '', 'package.json'), 'utf8')
    expect(manifest).not.toContain('workspace:')
    const deps = readJson(join(unpacked.get(pkg.dir) ?? '', 'package.json')).dependencies ?? {}
    for (const [name, range] of Object.entries(deps)) {
      if (name.startsWith('@rivulet/'))
        expect(range).toBe(readJson(join(root, 'packages', name.slice(9), 'package.json')).version)
    }
  })

  it('publishes no test helper: no file imports vitest or fast-check, no test or story file', () => {
    const dir = unpacked.get(pkg.dir) ?? ''
    const offenders = files().filter(
      (file) =>
        /\.(test|stories)\.[jt]sx?$/.test(file) ||
        (/\.(m?[jt]sx?|d\.ts)$/.test(file) &&
          /(from\s+|import\s*\(\s*|require\s*\(\s*)['"](vitest|fast-check)(\/[^'"]*)?['"]/.test(
            readFileSync(join(dir, file), 'utf8'),
          )),
    )
    expect(offenders).toEqual([])
  })

  it(
    'passes publint (no error, no warning)',
    async () => {
      const { publint } = await import('publint')
      const { formatMessage } = await import('publint/utils')
      const pkg_ = packed.packages.find((p) => p.dir === pkg.dir)
      const tarball = readFileSync(pkg_?.tarball ?? '')
      const { messages, pkg: manifest } = await publint({
        pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
        level: 'warning',
      })
      expect(messages.map((message) => `${message.type}: ${formatMessage(message, manifest)}`)).toEqual([])
    },
    minutes,
  )

  it(
    'passes arethetypeswrong for an ESM-only package (node16 from ESM, bundler)',
    async () => {
      const tarball = packed.packages.find((p) => p.dir === pkg.dir)?.tarball ?? ''
      const css = Object.keys(pkg.manifest.exports ?? {}).filter((subpath) => subpath.endsWith('.css'))
      const args = [tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color']
      if (css.length > 0) args.push('--exclude-entrypoints', ...css)
      await expect(run(join(root, 'node_modules', '.bin', 'attw'), args, packed.dir)).resolves.toBeDefined()
    },
    minutes,
  )
})

describe('pnpm release', () => {
  it(
    'dry-runs publishing every package, each after the packages it depends on',
    async () => {
      const { stdout, stderr } = await pnpm(['run', 'release:dry-run'], packed.workspace)
      const published = [...`${stdout}\n${stderr}`.matchAll(/^\+ (@rivulet\/[\w-]+)@(\S+)$/gm)].map((m) => m[1] ?? '')
      expect([...published].sort()).toEqual(packages.map((pkg) => pkg.manifest.name).sort())
      for (const pkg of packages) {
        for (const dependency of Object.keys(pkg.manifest.dependencies ?? {})) {
          if (dependency.startsWith('@rivulet/'))
            expect(published.indexOf(dependency)).toBeLessThan(published.indexOf(pkg.manifest.name))
        }
      }
    },
    minutes,
  )
})

describe('the tarballs installed together in a fresh project', () => {
  it('installed outside the workspace, each @rivulet package from its tarball', () => {
    expect(consumer.startsWith(root)).toBe(false)
    for (const pkg of packages) {
      const installed = readJson(join(consumer, 'node_modules', pkg.manifest.name, 'package.json'))
      expect(installed.version).toBe(pkg.manifest.version)
      expect(existsSync(join(consumer, 'node_modules', pkg.manifest.name, 'src', 'index.ts'))).toBe(true)
    }
  })

  it(
    'plain Node imports every entry point and subpath, decodes a stream, renders ChatWindow and Markdown',
    async () => {
      const names = packages.map((pkg) => pkg.manifest.name)
      const { stdout } = await run('node', ['check.mjs', JSON.stringify(names)], consumer)
      const report = JSON.parse(stdout) as {
        entries: Record<string, string[] | string>
        decoded: { text: string; finish: string }
        chatWindow: string
        markdown: string
      }
      const expected = packages.flatMap((pkg) =>
        Object.keys(pkg.manifest.exports ?? {}).map((sub) =>
          sub === '.' ? pkg.manifest.name : `${pkg.manifest.name}${sub.slice(1)}`,
        ),
      )
      expect(Object.keys(report.entries).sort()).toEqual(expected.sort())
      for (const [specifier, value] of Object.entries(report.entries)) {
        if (typeof value === 'string') expect({ specifier, value }).toEqual({ specifier, value: 'file' })
        else expect({ specifier, empty: value.length === 0 }).toEqual({ specifier, empty: false })
      }
      expect(report.entries['@rivulet/core']).toEqual(
        expect.arrayContaining(['decode', 'createChatSession', 'StreamError']),
      )
      expect(report.decoded).toEqual({ text: 'Hello', finish: 'stop' })
      expect(report.chatWindow).toMatch(/data-rivulet="chat/)
      expect(report.markdown).toContain('<h1')
      expect(report.markdown).toContain('<strong>bold</strong>')
      expect(report.markdown).not.toContain('javascript:')
    },
    3 * minutes,
  )

  it(
    'Vite bundles a small app that uses every package, the stylesheet included',
    async () => {
      await run(join(consumer, 'node_modules', '.bin', 'vite'), ['build'], consumer)
      const assets = readdirSync(join(consumer, 'dist', 'assets'))
      const js = assets.filter((file) => file.endsWith('.js'))
      const css = assets.filter((file) => file.endsWith('.css'))
      expect(js.length).toBeGreaterThan(0)
      expect(css.length).toBe(1)
      const bundle = js.map((file) => readFileSync(join(consumer, 'dist', 'assets', file), 'utf8')).join('\n')
      expect(bundle).toContain('bundled **by Vite**')
      expect(readFileSync(join(consumer, 'dist', 'assets', css[0] ?? ''), 'utf8')).toContain('--rivulet-')
    },
    3 * minutes,
  )

  it(
    'the README code and the app type-check against the published types',
    async () => {
      await run(join(consumer, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], consumer)
    },
    3 * minutes,
  )

  it(
    'each README quick start, and the msw recipes, run as written',
    async () => {
      const { stdout } = await run(
        join(consumer, 'node_modules', '.bin', 'vitest'),
        ['run', '--reporter=verbose'],
        consumer,
      )
      // The child may print in colour (vitest passes FORCE_COLOR on): read its words only.
      const text = stripVTControlCharacters(stdout)
      expect(text).toMatch(/Tests\s+\d+ passed/)
      expect(text).not.toMatch(/skipped|todo/)
    },
    3 * minutes,
  )
})
