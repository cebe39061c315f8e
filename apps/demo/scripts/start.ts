/**
 * `pnpm demo`: builds the app, starts the demo server and serves the app, prints the URL,
 * and stops both on Ctrl-C.
 */

import { serveStatic } from '@rivulet/browser-harness'
import { startServer } from '@rivulet/demo-server'
import { buildDemo } from './build.js'

const serverPort = Number(process.env.PORT ?? 8787)
const appPort = Number(process.env.DEMO_PORT ?? 5173)
const host = process.env.HOST ?? '127.0.0.1'

console.log('Building the demo app…')
const dist = await buildDemo()
const server = await startServer({ port: serverPort, host })
const app = await serveStatic(dist, appPort, host)
const query = serverPort === 8787 && host === '127.0.0.1' ? '' : `?server=${encodeURIComponent(server.url)}`

console.log(
  `\n  Rivulet demo:  ${app.url}/${query}\n  Demo server:   ${server.url}  (WebSocket ${server.wsUrl})\n\n  Ctrl-C stops both.\n`,
)

let stopping = false
const stop = async () => {
  if (stopping) process.exit(1)
  stopping = true
  await Promise.all([app.close(), server.close()])
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
