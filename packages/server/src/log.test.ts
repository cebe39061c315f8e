import { describe, expect, it } from 'vitest'
import { EventsTrimmedError, MemoryLog, type Subscription } from './log.js'
import { data, recorder } from './testing/recorder.js'

describe('MemoryLog', () => {
  it('replays from any position, then follows live appends until the end', () => {
    const log = new MemoryLog()
    log.append('a')
    log.append('b')
    const { got, follower } = recorder()
    log.follow(1, follower)
    expect(got.events).toEqual([{ seq: 2, data: 'b' }])
    log.append('c')
    expect(got.events.at(-1)).toEqual({ seq: 3, data: 'c' })
    expect(got.ended).toBe(false)
    log.end()
    expect(got.ended).toBe(true)
    expect(log.readers).toBe(0)
  })

  it('a paused reader catches up from the log when resumed, missing nothing', () => {
    const log = new MemoryLog()
    const { got, follower } = recorder(2)
    const subscription = log.follow(0, follower)
    for (const value of ['a', 'b', 'c', 'd']) log.append(value)
    expect(data(got.events)).toEqual(['a', 'b'])
    subscription.resume()
    expect(data(got.events)).toEqual(['a', 'b', 'c', 'd'])
    log.append('e')
    expect(data(got.events)).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('a consuming reader frees each event once delivered', () => {
    const log = new MemoryLog()
    const { got, follower } = recorder()
    log.follow(0, follower, true)
    for (const value of ['a', 'b', 'c']) log.append(value)
    log.end()
    expect(data(got.events)).toEqual(['a', 'b', 'c'])
    expect(log.bytes).toBe(0)
    expect(log.firstSeq).toBe(4)
  })

  it('a closed subscription gets nothing more', () => {
    const log = new MemoryLog()
    const { got, follower } = recorder()
    const subscription: Subscription = log.follow(0, follower)
    subscription.close()
    log.append('a')
    log.end()
    expect(got).toEqual({ events: [], ended: false, error: undefined })
    expect(log.readers).toBe(0)
  })

  it('tells a reader whose position was trimmed', () => {
    const log = new MemoryLog()
    for (const value of ['a', 'b', 'c']) log.append(value)
    log.trim(2)
    const { got, follower } = recorder()
    log.follow(0, follower)
    expect(got.error).toBeInstanceOf(EventsTrimmedError)
    expect(got.events).toEqual([])
  })
})
