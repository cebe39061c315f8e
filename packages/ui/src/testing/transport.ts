import type { StreamPart } from '@rivulet/core'

export const text = (value: string): StreamPart => ({ type: 'text-delta', text: value })
export const reasoning = (value: string): StreamPart => ({ type: 'reasoning-delta', text: value })
export const finish: StreamPart = { type: 'finish', reason: 'stop' }
