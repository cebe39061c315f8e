// Placeholder until this protocol's module is written.
import type { ProtocolDecoder } from './protocol.js'

export function anthropicDecoder(): ProtocolDecoder {
  throw new Error('not implemented')
}
