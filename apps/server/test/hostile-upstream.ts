import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The model name that reaches the hostile upstream (anything but the simulated model is relayed). */
export const HOSTILE_MODEL = 'hostile-upstream'

/**
 * An OpenAI-compatible upstream on loopback that streams one chunk whose tool call sits at
 * index 300,000,000 (a decoder that grows an array to it freezes for seconds), then `[DONE]`.
 */
export async function startHostileUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const chunk = {
    id: 'chatcmpl-hostile',
    object: 'chat.completion.chunk',
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            { index: 300_000_000, id: 'call_x', type: 'function', function: { name: 'f', arguments: '{}' } },
          ],
        },
        finish_reason: null,
      },
    ],
  }
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
