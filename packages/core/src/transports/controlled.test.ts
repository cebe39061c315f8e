import { describe, expect, it } from 'vitest'
import { StreamError } from '../errors.js'
import { collect } from '../testing/streams.js'
import type { StreamPart } from '../types.js'
import { controlledTransport } from './controlled.js'

const text = (value: string): StreamPart => ({ type: 'text-delta', text: value })
const request = (signal = new AbortController().signal, onActivity?: () => void) => ({
  messages: [],
  signal,
  onActivity,
})

describe('controlledTransport', () => {
  it('delivers what the test pushes, in order, to the latest request, and records requests', async () => {
    const controlled = controlledTransport()
    let activity = 0
    const stream = controlled.transport(request(undefined, () => activity++))
    controlled.push(text('a'))
    controlled.push(text('b'))
    controlled.push('end')
    expect(await collect(stream)).toEqual({ values: [text('a'), text('b')], error: undefined })
    expect(controlled.requests).toHaveLength(1)
    expect(activity).toBe(2)
  })

  it('throws a pushed error after the parts before it', async () => {
    const controlled = controlledTransport()
    const stream = controlled.transport(request())
    controlled.push(text('kept'))
    controlled.push(new StreamError('network', 'dropped'))
    const { values, error } = await collect(stream)
    expect(values).toEqual([text('kept')])
    expect(error).toMatchObject({ kind: 'network' })
  })

  it('ends a waiting stream with kind aborted when the request aborts', async () => {
    const controlled = controlledTransport()
    const abort = new AbortController()
    const result = collect(controlled.transport(request(abort.signal)))
    abort.abort()
    expect((await result).error).toMatchObject({ kind: 'aborted' })
  })

  it('refuses a push before any request', () => {
    expect(() => controlledTransport().push('end')).toThrow(/before any request/)
  })
})
