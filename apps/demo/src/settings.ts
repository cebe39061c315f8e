import type { BufferStrategy, SimulationOptions } from '@rivulet/core'

export type TransportKind = 'openai' | 'anthropic' | 'websocket'
export type FaultKind =
  | 'none'
  | 'drop'
  | 'stall'
  | 'http-429'
  | 'http-500'
  | 'http-529'
  | 'malformed'
  | 'provider-error'

export interface Settings {
  transport: TransportKind
  buffer: Exclude<BufferStrategy, { tokens: number }>
  ttftMs: number
  tokensPerSecond: number
  jitter: number
  reasoning: boolean
  /** The model searches the web itself first and cites what it found. */
  webSearch: boolean
  /** The model draws a small image into its answer. */
  image: boolean
  tokens: number
  fault: FaultKind
  /** Where faults strike, in tokens. */
  faultAfter: number
}

export const DEFAULT_SETTINGS: Settings = {
  transport: 'openai',
  buffer: 'none',
  ttftMs: 400,
  tokensPerSecond: 40,
  jitter: 0.35,
  reasoning: false,
  webSearch: false,
  image: false,
  tokens: 220,
  fault: 'none',
  faultAfter: 40,
}

/** The simulated model's per-request options for these settings. */
export function simulation(settings: Settings): SimulationOptions {
  const sim: SimulationOptions = {
    ttftMs: settings.ttftMs,
    tokensPerSecond: settings.tokensPerSecond,
    jitter: settings.jitter,
    reasoning: settings.reasoning,
    tokens: settings.tokens,
    ...(settings.webSearch && { webSearch: true }),
    ...(settings.image && { image: true }),
  }
  const afterTokens = settings.faultAfter
  switch (settings.fault) {
    case 'none':
      break
    case 'drop':
    case 'malformed':
    case 'provider-error':
      sim.fault = { type: settings.fault, afterTokens }
      break
    case 'stall':
      sim.fault = { type: 'stall', afterTokens, ms: 20_000 }
      break
    default:
      sim.fault = { type: 'http', status: Number(settings.fault.slice(5)) as 429 | 500 | 529, retryAfterS: 1 }
  }
  return sim
}

/** Settings can be given in the URL (`?transport=websocket&tps=80&search=1`), for links and tests. */
export function settingsFromUrl(search: string): Settings {
  const params = new URLSearchParams(search)
  const number = (name: string, fallback: number) => {
    const value = Number(params.get(name))
    return params.has(name) && Number.isFinite(value) ? value : fallback
  }
  const transport = params.get('transport')
  return {
    ...DEFAULT_SETTINGS,
    transport: transport === 'anthropic' || transport === 'websocket' ? transport : 'openai',
    ttftMs: number('ttft', DEFAULT_SETTINGS.ttftMs),
    tokensPerSecond: number('tps', DEFAULT_SETTINGS.tokensPerSecond),
    tokens: number('tokens', DEFAULT_SETTINGS.tokens),
    webSearch: params.get('search') === '1',
    image: params.get('image') === '1',
  }
}

/** The demo server: `?server=` (tests start one on a free port), else port 8787 of this host. */
export function serverUrl(location: Location): string {
  const given = new URLSearchParams(location.search).get('server')
  return (given ?? `http://${location.hostname || '127.0.0.1'}:8787`).replace(/\/$/, '')
}
