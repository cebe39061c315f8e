/**
 * Build and pack every published package the way a release does, from a copy of the working
 * tree (so a stale `dist/` in the checkout cannot leak into a tarball), then install the
 * tarballs into a fresh project outside the workspace.
 */
import { spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import { quickStart, section } from './readme.js'

export const root = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '')

export interface Manifest {
  name: string
  version: string
  private?: boolean
  exports?: Record<string, unknown>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  [field: string]: unknown
}

export interface WorkspacePackage {
  /** Folder name under packages/. */
  dir: string
  manifest: Manifest
}

export const readJson = <T = Manifest>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T

/** The packages under packages/ that are published (not private), sorted by folder. */
export function publishedPackages(): WorkspacePackage[] {
  return readdirSync(join(root, 'packages'))
    .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readJson(join(root, 'packages', dir, 'package.json')) }))
    .filter((pkg) => !pkg.manifest.private)
    .sort((a, b) => a.dir.localeCompare(b.dir))
}

/** The environment without what the pnpm running this test set for its own project. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_SCRIPT|INIT_CWD|VITEST|NODE_OPTIONS$)/i.test(key)) continue
    env[key] = value
  }
  return { ...env, ...extra }
}

export interface RunResult {
  stdout: string
  stderr: string
  ms: number
}

/** Runs a command; rejects with its output when it exits non-zero. */
export function run(command: string, args: string[], cwd: string, env?: Record<string, string>): Promise<RunResult> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const result = { stdout, stderr, ms: Date.now() - started }
      if (code === 0) resolve(result)
      else reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}\n${stdout}\n${stderr}`))
    })
  })
}

// The pnpm running this test (a script's `npm_execpath`), else the one on PATH.
const execPath = process.env.npm_execpath
const pnpmCommand: [string, string[]] =
  execPath && basename(execPath).startsWith('pnpm') ? [process.execPath, [execPath]] : ['pnpm', []]

/** Runs pnpm with `args`. */
export const pnpm = (args: string[], cwd: string, env?: Record<string, string>): Promise<RunResult> =>
  run(pnpmCommand[0], [...pnpmCommand[1], ...args], cwd, env)

export interface Packed {
  /** Temp folder holding the workspace copy, the tarballs and the consumer project. */
  dir: string
  /** The copy of the workspace the tarballs were built in. */
  workspace: string
  packages: (WorkspacePackage & { tarball: string })[]
  timings: Record<string, number>
}

const skipInCopy = new Set(['node_modules', 'dist', 'coverage', 'storybook-static'])

/**
 * Copies the root manifest and every published package (sources, not node_modules or dist) to a
 * temp workspace whose node_modules link to the checkout's, builds each package there with its
 * own `build` script, and packs it with `pnpm pack` (which rewrites `workspace:` ranges).
 */
export async function buildAndPack(): Promise<Packed> {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-packed-'))
  const workspace = join(dir, 'workspace')
  const tarballs = join(dir, 'tarballs')
  mkdirSync(join(workspace, 'packages'), { recursive: true })
  mkdirSync(tarballs)
  for (const file of ['package.json', 'tsconfig.base.json', 'LICENSE', '.npmrc']) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(workspace, file))
  }
  writeFileSync(join(workspace, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n')
  symlinkSync(join(root, 'node_modules'), join(workspace, 'node_modules'))
  const packages = publishedPackages()
  for (const pkg of packages) {
    const from = join(root, 'packages', pkg.dir)
    const to = join(workspace, 'packages', pkg.dir)
    cpSync(from, to, { recursive: true, filter: (src) => !skipInCopy.has(basename(src)) || src === from })
    if (existsSync(join(from, 'node_modules'))) symlinkSync(join(from, 'node_modules'), join(to, 'node_modules'))
  }
  const timings: Record<string, number> = {}
  const bin = { PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` }
  timings.build = (await pnpm(['-r', '--workspace-concurrency=2', 'run', 'build'], workspace, bin)).ms
  const packStarted = Date.now()
  const result: Packed['packages'] = []
  for (const pkg of packages) {
    await pnpm(['pack', '--pack-destination', tarballs], join(workspace, 'packages', pkg.dir), bin)
    const file = `${pkg.manifest.name.replace(/^@/, '').replace('/', '-')}-${pkg.manifest.version}.tgz`
    result.push({ ...pkg, tarball: join(tarballs, file) })
  }
  timings.pack = Date.now() - packStarted
  return { dir, workspace, packages: result, timings }
}

/** Files of a tarball, unpacked into `<dir>/unpacked/<folder>`; returns that folder. */
export async function unpack(packed: Packed, pkg: Packed['packages'][number]): Promise<string> {
  const to = join(packed.dir, 'unpacked', pkg.dir)
  mkdirSync(to, { recursive: true })
  await run('tar', ['xzf', pkg.tarball, '-C', to, '--strip-components=1'], packed.dir)
  return to
}

/** Every file under `dir`, relative to it. */
export function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), base) : [relative(base, join(dir, entry.name))],
  )
}

// What the consumer installs besides the tarballs: the versions the workspace is tested with.
const publicDependencies = ['react', 'react-dom', 'msw']
const publicDevDependencies = ['vite', 'vitest', 'typescript', '@types/react', '@types/react-dom', '@types/node']

/**
 * A fresh project outside the workspace (`<dir>/consumer`) that depends on the tarballs and on
 * public packages from the registry only, with the README code blocks written out as files a
 * user would copy. Installs it with pnpm from its store (`--prefer-offline`).
 */
export async function installConsumer(packed: Packed): Promise<string> {
  const consumer = join(packed.dir, 'consumer')
  cpSync(join(root, 'tools', 'pack', 'consumer'), consumer, { recursive: true })
  const rootManifest = readJson(join(root, 'package.json'))
  const reactManifest = readJson(join(root, 'packages', 'react', 'package.json'))
  const version = (name: string): string => {
    const range = rootManifest.devDependencies?.[name] ?? reactManifest.devDependencies?.[name]
    if (!range) throw new Error(`no version of ${name} in the workspace`)
    return range
  }
  const tarballs = Object.fromEntries(packed.packages.map((pkg) => [pkg.manifest.name, `file:${pkg.tarball}`]))
  const manifest = {
    name: 'rivulet-consumer',
    private: true,
    type: 'module',
    dependencies: {
      ...tarballs,
      ...Object.fromEntries(publicDependencies.map((name) => [name, version(name)])),
      '@tanstack/react-query': version('@tanstack/react-query'),
    },
    devDependencies: Object.fromEntries(publicDevDependencies.map((name) => [name, version(name)])),
    // The tarballs depend on each other by version (`workspace:` rewritten): point those at the files.
    pnpm: { overrides: tarballs },
  }
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  writeReadmeCode(consumer)
  await pnpm(
    [
      'install',
      '--ignore-workspace',
      '--prefer-offline',
      '--no-frozen-lockfile',
      '--config.strict-peer-dependencies=true',
    ],
    consumer,
  )
  return consumer
}

/**
 * `readme/<folder>.ts(x)`: each package README's quick start, verbatim after the lines of
 * `readme-context/<folder>.ts` (what the snippet leaves to the reader, such as `body`), and
 * `readme/<folder>-<section>.test.ts` for sections written as tests (msw's Recipes).
 */
export function writeReadmeCode(consumer: string): string[] {
  const out = join(consumer, 'readme')
  mkdirSync(out, { recursive: true })
  const written: string[] = []
  for (const pkg of publishedPackages()) {
    const readme = join(root, 'packages', pkg.dir, 'README.md')
    if (!existsSync(readme)) continue
    const markdown = readFileSync(readme, 'utf8')
    const start = quickStart(markdown)
    if (start) {
      const contextFile = join(consumer, 'readme-context', `${pkg.dir}.ts`)
      const context = existsSync(contextFile) ? readFileSync(contextFile, 'utf8') : ''
      const file = `${pkg.dir}.${start.lang === 'tsx' ? 'tsx' : 'ts'}`
      writeFileSync(join(out, file), `${context}${start.code}`)
      written.push(file)
    }
    const recipes = section(markdown, 'Recipes')
    if (recipes.length > 0) {
      const file = `${pkg.dir}-recipes.test.ts`
      writeFileSync(join(out, file), recipes.map((block) => block.code).join('\n'))
      written.push(file)
    }
  }
  return written
}
