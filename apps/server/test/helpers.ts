import { type RunningServer, type ServerOptions, type StreamEndInfo, startServer } from '../src/index.js'

export interface TestServer extends RunningServer {
  /** Every generation that ended, in order. */
  ends: StreamEndInfo[]
  /** The next generation to end (or the one that already did, unclaimed). */
  nextEnd(): Promise<StreamEndInfo>
}

const running: RunningServer[] = []

/** Fast by default: no TTFT, no pacing, silent. Pass `simulation` to slow it down. */
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const ends: StreamEndInfo[] = []
  const waiting: ((info: StreamEndInfo) => void)[] = []
  let claimed = 0
  const server = await startServer({
    port: 0,
    logger: false,
    ...options,
    simulation: { ttftMs: 0, tokensPerSecond: 0, jitter: 0, burstiness: 0, ...options.simulation },
    onStreamEnd: (info) => {
      ends.push(info)
      options.onStreamEnd?.(info)
      const next = waiting.shift()
      if (next) {
        claimed++
        next(info)
      }
    },
  })
  running.push(server)
  return Object.assign(server, {
    ends,
    nextEnd: () => {
      if (claimed < ends.length) return Promise.resolve(ends[claimed++] as StreamEndInfo)
      return new Promise<StreamEndInfo>((resolve) => waiting.push(resolve))
    },
  })
}

export async function closeTestServers(): Promise<void> {
  await Promise.all(running.splice(0).map((server) => server.close()))
}

export const user = (content: string) => [{ role: 'user' as const, content }]

/** The same conversation as a transport takes it: `ChatMessage`s with an id and parts. */
export const userMessages = (content: string) => [
  { id: 'user-1', role: 'user' as const, content, parts: [{ type: 'text' as const, text: content }] },
]

/** A chat completions request body for the simulated model. */
export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'rivulet-sim', messages: user('How do I stream tokens in React?'), ...extra }
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal && { signal }),
  })
}

/** Raw SSE events of a body: `{ id, event, data }` each. */
export async function readEvents(response: Response): Promise<{ id?: string; event?: string; data: string }[]> {
  const text = await response.text()
  return parseEvents(text)
}

export function parseEvents(text: string): { id?: string; event?: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const event: { id?: string; event?: string; data: string } = { data: '' }
      for (const line of block.split('\n')) {
        const colon = line.indexOf(': ')
        const field = line.slice(0, colon)
        const value = line.slice(colon + 2)
        if (field === 'id') event.id = value
        else if (field === 'event') event.event = value
        else if (field === 'data') event.data = value
      }
      return event
    })
}

/** Reads a body until it ends or fails; returns the complete events and whether it failed. */
export async function readUntilCut(response: Response) {
  const decoder = new TextDecoder()
  let text = ''
  let failed = false
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk)
  } catch {
    failed = true
  }
  return { events: parseEvents(text.slice(0, text.lastIndexOf('\n\n') + 2)), failed }
}

/** The text of OpenAI Chat chunk events, joined. */
export const content = (events: { data: string }[]) =>
  events
    .map((event) => {
      if (!event.data.startsWith('{')) return ''
      const chunk = JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[] }
      return chunk.choices?.[0]?.delta?.content ?? ''
    })
    .join('')
