/**
 * Plain text: a `text/plain` body whose bytes are the answer, or a `text/event-stream` whose
 * events' data are pieces of it. Either ends cleanly at EOF: there is no terminal signal.
 * In SSE mode a `[DONE]` event, which many simple servers send, ends the stream.
 */
import { StreamError } from '../errors.js'
import type { StreamPart } from '../types.js'
import { type ProtocolDecoder, type ProtocolEncoder, sseEvent } from './protocol.js'

export function textDecoder(options: { sse: boolean }): ProtocolDecoder {
  let closed = false
  return {
    framing: options.sse ? 'sse' : 'text',
    get closed() {
      return closed
    },
    message(data, event, out) {
      if (event === 'error') throw new StreamError('provider', data || 'The server reported an error')
      if (options.sse && data === '[DONE]') {
        closed = true
        out.push({ type: 'finish', reason: 'stop' })
        return
      }
      if (data !== '') out.push({ type: 'text-delta', text: data })
    },
    end(out) {
      out.push({ type: 'finish', reason: 'stop' })
    },
  }
}

/**
 * Writes the text parts as a plain body (default) or as SSE `data:` events; other parts are
 * not representable in plain text and write nothing. In SSE mode an error is an
 * `event: error` with its message; a plain body has no way to say it.
 */
export function textEncoder(options: { sse?: boolean } = {}): ProtocolEncoder {
  return {
    push(part: StreamPart) {
      if (part.type !== 'text-delta' || part.text === '') return ''
      if (!options.sse) return part.text
      // Text that is exactly `[DONE]` would read as the end of the stream: sent in two pieces, it
      // reads as the same text.
      if (part.text === '[DONE]') return sseEvent('[DONE') + sseEvent(']')
      // Each line of the text becomes its own `data:` line; the reader joins them with LF.
      return sseEvent(part.text)
    },
    error(error) {
      return options.sse ? sseEvent(error.message, 'error') : ''
    },
    end() {
      return ''
    },
  }
}
