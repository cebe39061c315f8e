import { anthropic, demoServer, type Transport, websocketTransport } from '@rivulet/core'
import { type Settings, simulation, type TransportKind } from './settings.js'

/**
 * One transport per wire format, all reading the current settings when a request starts, so
 * a change of settings applies to the next message without rebuilding anything.
 */
export function createTransports(server: string, current: () => Settings): Record<TransportKind, Transport> {
  const simulate = () => simulation(current())
  return {
    openai: demoServer({ baseURL: `${server}/v1`, simulate }),
    anthropic: anthropic({
      baseURL: `${server}/v1`,
      model: 'rivulet-sim',
      apiKey: 'not-needed-for-the-simulated-model',
      dangerouslyAllowBrowser: true,
      maxTokens: 1024,
      extraBody: {
        get rivulet() {
          return simulate()
        },
      },
    }),
    // The default start request carries the whole conversation and the tools, as Chat Completions has them.
    websocket: websocketTransport({
      url: `${server.replace(/^http/, 'ws')}/v1/ws`,
      model: 'rivulet-sim',
      extraBody: {
        get rivulet() {
          return simulate()
        },
      },
    }),
  }
}
