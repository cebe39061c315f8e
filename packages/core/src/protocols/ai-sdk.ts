// Placeholder until this protocol's module is written.
import type { ProtocolDecoder } from './protocol.js'

export function aiSdkDecoder(): ProtocolDecoder {
  throw new Error('not implemented')
}
