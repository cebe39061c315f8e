// Placeholder until this protocol's module is written.
import type { ProtocolDecoder } from './protocol.js'

export function ollamaDecoder(): ProtocolDecoder {
  throw new Error('not implemented')
}
