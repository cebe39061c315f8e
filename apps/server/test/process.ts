/** The demo server as its own process (`src/main.ts` under tsx), as `pnpm start` runs it. */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** Everything it printed so far. */
  output(): string
  /** How it ended, once it has. */
  exit(): { code: number | null; signal: string | null } | undefined
}

/**
 * Starts the server with `--unhandled-rejections=strict` (a rejection nobody handles ends it) on
 * a free loopback port, with `env` on top of this process's, and resolves once it listens.
 */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const child = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', '--import', 'tsx', '--conditions=@rivulet/source', 'src/main.ts'],
    {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', RIVULET_RATE_LIMIT: '0', RIVULET_LOG: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  let exit: { code: number | null; signal: string | null } | undefined
  child.on('exit', (code, signal) => (exit = { code, signal }))
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started within 20 s: ${output}`)), 20_000)
    const look = () => {
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', look)
    child.once('exit', () => reject(new Error(`exited before listening: ${output}`)))
  })
  return { url, child, output: () => output, exit: () => exit }
}

/** Ends it with SIGTERM and waits for it to exit. */
export async function stopServer(server: ServerProcess | undefined): Promise<void> {
  if (server === undefined || server.exit() !== undefined) return
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  await exited
}
