/**
 * A throwaway `redis-server` for tests: on a free loopback port, without persistence, stopped
 * by the test that started it. Where Debian's redis-server is missing the Redis tests skip with
 * one line, except under CI, where that is a failure (as the browser tests do with Chromium).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { delimiter, join } from 'node:path'

export const REDIS_SERVER_PATH = process.env.REDIS_SERVER_PATH || findOnPath('redis-server')

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command)
    if (dir !== '' && existsSync(candidate)) return candidate
  }
  return undefined
}

/** True where the Redis tests run: redis-server is installed, or CI demands them (and fails without it). */
export function redisTestsEnabled(): boolean {
  return REDIS_SERVER_PATH !== undefined || Boolean(process.env.CI)
}

/** One clear line when the Redis tests will not run. */
export function announceSkippedRedisTests(): void {
  if (redisTestsEnabled()) return
  console.log('Redis tests skipped: no redis-server on PATH (apt-get install redis-server, or set REDIS_SERVER_PATH).')
}

export interface RedisServer {
  url: string
  port: number
  stop(): Promise<void>
  /** Stops it and starts a new, empty one on the same port (Redis restarted without persistence). */
  restart(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** Resolves once the server answers PING (bounded: 100 tries, 50 ms apart). */
async function untilReady(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket()
      socket.setTimeout(500)
      socket.once('data', (data) => {
        socket.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
      socket.once('error', () => resolve(false))
      socket.once('timeout', () => {
        socket.destroy()
        resolve(false)
      })
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`redis-server did not answer on port ${port}`)
}

function spawnOn(path: string, port: number): ChildProcess {
  return spawn(
    path,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  )
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

export async function startRedisServer(): Promise<RedisServer> {
  const path = REDIS_SERVER_PATH
  if (path === undefined)
    throw new Error('redis-server is not installed (apt-get install redis-server), and CI requires the Redis tests')
  const port = await freePort()
  let child = spawnOn(path, port)
  const ready = async () => {
    try {
      await untilReady(port, child)
    } catch (error) {
      child.kill('SIGKILL')
      throw error
    }
  }
  await ready()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopChild(child),
    restart: async () => {
      await stopChild(child)
      child = spawnOn(path, port)
      await ready()
    },
  }
}
