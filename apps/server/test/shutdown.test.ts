import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { chatBody, closeTestServers, postJson, readEvents, startTestServer, user } from './helpers.js'

afterEach(closeTestServers)

const slow = { rivulet: { tokens: 5000, tokensPerSecond: 100 } }

describe('shutdown', () => {
  it('close() ends open streams with an error event saying why, then closes every socket', async () => {
    const server = await startTestServer()
    const sse = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true, ...slow }))
    const anthropic = await postJson(`${server.url}/v1/messages`, {
      model: 'rivulet-sim',
      max_tokens: 8000,
      stream: true,
      messages: user('hi'),
      ...slow,
    })
    const socket = new WebSocket(server.wsUrl)
    const frames: { type: string; error?: { code?: string } }[] = []
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())))
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'start', id: 'w', request: { messages: user('hi'), ...slow } }))
    await vi.waitFor(() => expect(frames.length).toBeGreaterThan(2))

    const startedAt = performance.now()
    await server.close()
    expect(performance.now() - startedAt).toBeLessThan(1000)

    const openaiEvents = await readEvents(sse)
    expect(JSON.parse(openaiEvents.at(-1)?.data ?? '{}')).toMatchObject({ error: { code: 'server_shutdown' } })
    const anthropicEvents = await readEvents(anthropic)
    expect(anthropicEvents.at(-1)).toMatchObject({ event: 'error' })
    expect(anthropicEvents.at(-1)?.data).toContain('shutting down')
    // Every frame is in once the socket has closed.
    expect(await closed).toBe(1001)
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { code: 'server_shutdown' } })
    expect(server.ends.map((end) => end.outcome)).toEqual(['shutdown', 'shutdown', 'shutdown'])
    await expect(fetch(`${server.url}/health`)).rejects.toThrow()
  })

  it('pnpm start: SIGTERM ends open streams and exits cleanly', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@rivulet/source', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const url = await vi.waitFor(
      () => {
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (!match?.[1]) throw new Error(`not started: ${output}`)
        return match[1]
      },
      { timeout: 15_000, interval: 20 },
    )
    const response = await postJson(`${url}/v1/chat/completions`, chatBody({ stream: true, ...slow }))
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    child.kill('SIGTERM')
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value)
    expect(rest).toContain('server_shutdown')
    expect(await exited).toBe(0)
    expect(output).toMatch(/SIGTERM/)
    expect(output).toMatch(/POST \/v1\/chat\/completions 200 \d+ms \d+ tokens/)
  }, 20_000)
})
