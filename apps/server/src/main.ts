/** `pnpm start`: the demo server on 127.0.0.1:8787, configured from the environment. */
import { optionsFromEnv } from './config.js'
import { startServer } from './server.js'

const server = await startServer(optionsFromEnv())
console.log(`Rivulet demo server on ${server.url} (WebSocket ${server.wsUrl}), model rivulet-sim`)

let stopping = false
const stop = async (signal: string) => {
  if (stopping) {
    // A second Ctrl-C means now.
    process.exit(1)
  }
  stopping = true
  console.log(`${signal}: ending open streams and closing`)
  await server.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
