/** Test helpers for sessions: a transport that plays scripts, and a session with a fixed clock and ids. */
import { StreamError } from '../errors.js'
import { type ChatSessionOptions, createChatSession } from '../session/chat-session.js'
import { syncScheduler } from '../session/scheduler.js'
import type { Transport, TransportRequest } from '../transports/transport.js'
import type { StreamPart } from '../types.js'

export type Script = StreamPart[] | StreamError | ((request: TransportRequest) => AsyncIterable<StreamPart>)

/** A transport that answers each request with the next script (parts, an error, or a stream of its own); records the requests. */
export function scripted(...scripts: Script[]): { transport: Transport; requests: TransportRequest[] } {
  const requests: TransportRequest[] = []
  const transport: Transport = (request) => {
    requests.push(request)
    const script = scripts.shift()
    if (typeof script === 'function') return script(request)
    return (async function* () {
      if (script instanceof StreamError) throw script
      for (const part of script ?? []) yield part
    })()
  }
  return { transport, requests }
}

/** A session that notifies synchronously, at time 0, with ids m1, m2, … */
export function testSession(options: Partial<ChatSessionOptions> & Pick<ChatSessionOptions, 'transport'>) {
  let id = 0
  return createChatSession({ scheduler: syncScheduler, generateId: () => `m${++id}`, now: () => 0, ...options })
}
