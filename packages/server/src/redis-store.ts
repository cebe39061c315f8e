/**
 * A `StreamStore` on Redis, for a server that runs as several instances: a resume or a cancel
 * may reach any of them.
 *
 * - Events are entries of a Redis Stream with the ids `0-1`, `0-2`…, so an event's seq is its
 *   entry id and a resume from `Last-Event-ID: n` is `XRANGE key 0-(n+1) +`. `XADD … MAXLEN ~`
 *   bounds a stream; every write moves the keys' expiry to the retention window, so a finished
 *   stream (or one whose instance died) is gone from Redis once the window ends.
 * - Live events reach readers over one pub/sub channel per store prefix: each instance holds one
 *   subscription whatever number of streams it serves, and a notification carries the event, so
 *   a reader at the live edge costs Redis nothing more. A reader that sees a gap (it paused, or
 *   it is still replaying) reads the missing events back with `XRANGE`.
 * - A cancel deletes the stream, leaves a tombstone key for the window (a cancel may overtake the
 *   request it cancels) and is published, so it stops the stream on the instance running it.
 *
 * Writes are Lua scripts, each atomic: an append after a cancel (or after Redis lost the stream)
 * writes nothing and stops the producer, instead of bringing the stream back.
 */
import { createHash } from 'node:crypto'
import { createClient } from '@redis/client'
import { EventsTrimmedError, type Follower, type StoredEvent, type Subscription } from './log.js'
import type { CreateResult, StreamFormat, StreamInfo, StreamStore } from './store.js'

export interface RedisStoreOptions {
  /** `redis://host:port`, as `createClient` takes it. */
  url: string
  /** Prefix of every key and of the channel: stores with different prefixes never meet. Default `rivulet:`. */
  prefix?: string
  /** How long a stream is kept after its last event, and a cancel remembered. Default 60 s. */
  retentionMs?: number
  /** Events kept per stream (`MAXLEN ~`: Redis may keep a few more). Default 10,000. */
  maxEvents?: number
  /**
   * How often a reader that has heard nothing checks its stream in Redis: a notice lost while
   * the subscription reconnected, or a stream that expired, does not leave it waiting. Default 2 s.
   */
  checkMs?: number
  /** A write or a read that failed because of Redis (down, restarted). Default: ignored. */
  onError?: (error: unknown) => void
}

type Client = ReturnType<typeof createClient>

/** Events read per `XRANGE`: large enough that a replay takes few round trips. */
const PAGE = 256

// KEYS: meta, tombstone. ARGV: format, retention ms.
const CREATE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 'cancelled' end
if redis.call('HSETNX', KEYS[1], 'format', ARGV[1]) == 0 then return 'exists' end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 'created'`

// KEYS: meta, events. ARGV: id, seq, data, max events, retention ms, channel.
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '0-' .. ARGV[2], 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[6], cjson.encode({'a', ARGV[1], tonumber(ARGV[2]), ARGV[3]}))
return 1`

// KEYS: meta, events. ARGV: id, last seq, retention ms, channel.
const END = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'done', '1', 'last', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], cjson.encode({'e', ARGV[1], tonumber(ARGV[2])}))
return 1`

// KEYS: meta, events, tombstone. ARGV: id, retention ms, channel.
const CANCEL = `
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
local existed = redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[3], cjson.encode({'c', ARGV[1]}))
return existed`

interface Script {
  source: string
  sha: string
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') })
const SCRIPTS = { create: script(CREATE), append: script(APPEND), end: script(END), cancel: script(CANCEL) }

/** A stream this instance generates. */
interface Owned {
  lastSeq: number
}

/** Cancelled streams of this instance remembered for a late `onCancel`. */
const MAX_CANCELLED_HERE = 1000

interface Reader {
  id: string
  follower: Follower
  next: number
  /** The stream's last seq once it has ended. */
  endSeq: number | undefined
  paused: boolean
  closed: boolean
  /** Replaying with `XRANGE`: live events wait in `pending`. */
  fetching: boolean
  pending: StoredEvent[]
  /** When it last heard of its stream (an event, a notice, a read). */
  heardAt: number
}

type Notice = ['a', string, number, string] | ['e', string, number] | ['c', string]

const seqOf = (entryId: string): number => Number(entryId.slice(entryId.indexOf('-') + 1))

/**
 * Streams in Redis, shared by every instance that uses the same Redis and prefix.
 *
 * ```ts
 * const store = new RedisStreamStore({ url: 'redis://127.0.0.1:6379' })
 * const server = await startServer({ store })
 * ```
 */
export class RedisStreamStore implements StreamStore {
  private readonly prefix: string
  private readonly retentionMs: number
  private readonly maxEvents: number
  private readonly onError: (error: unknown) => void
  private readonly client: Client
  private readonly subscriber: Client
  private readonly channel: string
  private readonly ready: Promise<void>
  private readonly owned = new Map<string, Owned>()
  /**
   * Streams of this instance cancelled before their producer listened (`onCancel` right after
   * `create` may come after the notice). Bounded: the oldest go first.
   */
  private readonly cancelledHere = new Set<string>()
  private readonly readers = new Map<string, Set<Reader>>()
  private readonly cancelListeners = new Map<string, Set<() => void>>()
  private closed = false
  private readonly checkMs: number
  private readonly checker: ReturnType<typeof setInterval>

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? 'rivulet:'
    this.retentionMs = options.retentionMs ?? 60_000
    this.maxEvents = options.maxEvents ?? 10_000
    this.onError = options.onError ?? (() => {})
    this.channel = `${this.prefix}notices`
    this.client = createClient({ url: options.url })
    this.subscriber = this.client.duplicate()
    // Without a listener an 'error' event would throw; the client reconnects by itself.
    this.client.on('error', (error) => this.onError(error))
    this.subscriber.on('error', (error) => this.onError(error))
    // Notices published while the subscription was down are lost: every reader reads again.
    let connections = 0
    this.subscriber.on('ready', () => {
      if (connections++ > 0) this.checkReaders(0)
    })
    this.checkMs = options.checkMs ?? 2000
    this.checker = setInterval(() => this.checkReaders(this.checkMs), this.checkMs)
    this.checker.unref()
    this.ready = this.connect()
    // A failed first connection rejects every call that awaits `ready`, not the process.
    this.ready.catch((error) => this.onError(error))
  }

  private async connect(): Promise<void> {
    await Promise.all([this.client.connect(), this.subscriber.connect()])
    await this.subscriber.subscribe(this.channel, (message) => this.notice(message))
  }

  private keys(id: string) {
    // One hash tag per stream: its keys stay on one node of a cluster.
    const base = `${this.prefix}{${id}}`
    return { meta: `${base}:meta`, events: `${base}:events`, tombstone: `${base}:cancelled` }
  }

  private async run(which: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    const argv = args.map(String)
    try {
      return await this.client.sendCommand(['EVALSHA', which.sha, String(keys.length), ...keys, ...argv])
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      return this.client.sendCommand(['EVAL', which.source, String(keys.length), ...keys, ...argv])
    }
  }

  async create(id: string, format: StreamFormat): Promise<CreateResult> {
    await this.ready
    const { meta, tombstone } = this.keys(id)
    const result = (await this.run(SCRIPTS.create, [meta, tombstone], [format, this.retentionMs])) as CreateResult
    if (result === 'created') this.owned.set(id, { lastSeq: 0 })
    return result
  }

  /**
   * Answers at once with the event's seq, as the memory store does; the write goes to Redis in
   * order behind the ones before it. A write Redis refuses, or one for a stream Redis no longer
   * holds, stops the stream (its cancel listeners run) rather than rejecting.
   */
  append(id: string, data: string): number {
    const owned = this.owned.get(id)
    if (owned === undefined) throw new Error(`No stream ${id}`)
    const seq = ++owned.lastSeq
    const { meta, events } = this.keys(id)
    this.run(SCRIPTS.append, [meta, events], [id, seq, data, this.maxEvents, this.retentionMs, this.channel]).then(
      (written) => {
        if (written === 0) this.lost(id)
      },
      (error) => {
        this.onError(error)
        this.lost(id)
      },
    )
    return seq
  }

  async end(id: string): Promise<void> {
    const owned = this.owned.get(id)
    if (owned === undefined) return
    this.owned.delete(id)
    this.cancelListeners.delete(id)
    const { meta, events } = this.keys(id)
    await this.run(SCRIPTS.end, [meta, events], [id, owned.lastSeq, this.retentionMs, this.channel])
  }

  async info(id: string): Promise<StreamInfo | undefined> {
    await this.ready
    const { meta, events } = this.keys(id)
    const [fields, oldest, newest] = await Promise.all([
      this.client.hGetAll(meta),
      this.client.xRange(events, '-', '+', { COUNT: 1 }),
      this.client.xRevRange(events, '+', '-', { COUNT: 1 }),
    ])
    const first = oldest?.[0]
    const last = newest?.[0]
    const format = fields.format as StreamFormat | undefined
    if (format === undefined) return undefined
    const done = fields.done === '1'
    const lastSeq = done ? Number(fields.last) : last ? seqOf(last.id) : 0
    const firstSeq = first ? seqOf(first.id) : lastSeq + 1
    return { id, format, lastSeq, firstSeq, done }
  }

  /** Always a subscription: whether the stream exists is known once Redis answers (an unknown one ends at once). */
  follow(id: string, after: number, follower: Follower): Subscription {
    const reader: Reader = {
      id,
      follower,
      next: after + 1,
      endSeq: undefined,
      paused: false,
      closed: false,
      fetching: false,
      pending: [],
      heardAt: Date.now(),
    }
    let set = this.readers.get(id)
    if (set === undefined) this.readers.set(id, (set = new Set()))
    // Registered before the first read: an event written meanwhile is either in it or notified.
    set.add(reader)
    void this.catchUp(reader)
    return {
      resume: () => {
        if (!reader.paused || reader.closed) return
        reader.paused = false
        void this.catchUp(reader)
      },
      close: () => this.finish(reader, false),
    }
  }

  async cancel(id: string): Promise<boolean> {
    await this.ready
    const { meta, events, tombstone } = this.keys(id)
    const existed = Number(
      await this.run(SCRIPTS.cancel, [meta, events, tombstone], [id, this.retentionMs, this.channel]),
    )
    // The notice will come back too; acting now spares the round trip on this instance.
    this.cancelled(id)
    return existed > 0
  }

  onCancel(id: string, listener: () => void): () => void {
    if (this.cancelledHere.delete(id)) {
      queueMicrotask(listener)
      return () => {}
    }
    let set = this.cancelListeners.get(id)
    if (set === undefined) this.cancelListeners.set(id, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0 && this.cancelListeners.get(id) === set) this.cancelListeners.delete(id)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.checker)
    for (const set of this.readers.values()) for (const reader of [...set]) this.finish(reader, false)
    this.owned.clear()
    this.cancelledHere.clear()
    this.cancelListeners.clear()
    await this.ready.catch(() => {})
    await Promise.allSettled([this.subscriber.close(), this.client.close()])
  }

  /** Readers that have heard nothing for `quietMs` read their stream again. */
  private checkReaders(quietMs: number): void {
    const now = Date.now()
    for (const set of this.readers.values())
      for (const reader of set) if (now - reader.heardAt >= quietMs) void this.catchUp(reader)
  }

  /** What this instance holds for its streams, for stats and tests: all of it goes when they end. */
  size(): { producing: number; readers: number; cancelListeners: number } {
    let readers = 0
    for (const set of this.readers.values()) readers += set.size
    return { producing: this.owned.size, readers, cancelListeners: this.cancelListeners.size }
  }

  /**
   * Redis no longer holds a stream this instance writes (cancelled elsewhere, or lost in a Redis
   * restart): the producer stops here, and readers on every instance are told, so none waits on it.
   */
  private lost(id: string): void {
    if (!this.owned.has(id)) return
    this.cancelled(id)
    this.client.publish(this.channel, JSON.stringify(['c', id])).catch((error) => this.onError(error))
  }

  /** A stream was cancelled (here, on another instance, or lost by Redis): its producer stops, its readers end. */
  private cancelled(id: string): void {
    const listeners = this.cancelListeners.get(id)
    this.cancelListeners.delete(id)
    // Its producer is told, now or when it listens; a cancelled stream never ends, so forget it here.
    if (this.owned.delete(id) && listeners === undefined) {
      this.cancelledHere.add(id)
      if (this.cancelledHere.size > MAX_CANCELLED_HERE) {
        const oldest = this.cancelledHere.values().next().value
        if (oldest !== undefined) this.cancelledHere.delete(oldest)
      }
    }
    if (listeners !== undefined) for (const listener of listeners) listener()
    const set = this.readers.get(id)
    if (set !== undefined) for (const reader of [...set]) this.finish(reader, true)
  }

  private notice(message: string): void {
    let notice: Notice
    try {
      notice = JSON.parse(message) as Notice
    } catch (error) {
      this.onError(error)
      return
    }
    const id = notice[1]
    if (notice[0] === 'c') {
      this.cancelled(id)
      return
    }
    const set = this.readers.get(id)
    if (set === undefined) return
    for (const reader of [...set]) {
      reader.heardAt = Date.now()
      if (notice[0] === 'e') {
        reader.endSeq = notice[2]
        this.drain(reader)
        continue
      }
      const event = { seq: notice[2], data: notice[3] }
      if (reader.fetching) reader.pending.push(event)
      else if (!reader.paused && !reader.closed) {
        reader.pending.push(event)
        this.drain(reader)
      }
    }
  }

  /** Reads the events from the reader's position with `XRANGE`, page by page, up to the live edge. */
  private async catchUp(reader: Reader): Promise<void> {
    if (reader.fetching || reader.closed || reader.paused) return
    reader.fetching = true
    reader.pending = []
    const { meta, events } = this.keys(reader.id)
    try {
      await this.ready
      // Bounded: a stream holds at most about maxEvents events, read PAGE at a time.
      const pages = Math.ceil(this.maxEvents / PAGE) + 4
      for (let page = 0; page < pages; page++) {
        const [fields, read] = await Promise.all([
          this.client.hmGet(meta, ['format', 'done', 'last']),
          this.client.xRange(events, `0-${reader.next}`, '+', { COUNT: PAGE }),
        ])
        if (reader.closed) return
        reader.heardAt = Date.now()
        const entries = read ?? []
        const [format, done, last] = fields
        if (format === null || format === undefined) {
          // Never existed, cancelled, or past the window.
          reader.fetching = false
          this.finish(reader, true)
          return
        }
        if (done === '1') reader.endSeq = Number(last)
        const first = entries[0]
        if (first !== undefined && seqOf(first.id) > reader.next) {
          reader.fetching = false
          this.finish(reader, false)
          reader.follower.error(new EventsTrimmedError(seqOf(first.id)))
          return
        }
        for (const entry of entries) {
          const seq = seqOf(entry.id)
          if (seq < reader.next) continue
          this.deliver(reader, { seq, data: String(entry.message.d) })
          if (reader.closed || reader.paused) {
            reader.fetching = false
            return
          }
        }
        if (entries.length < PAGE) break
      }
    } catch (error) {
      reader.fetching = false
      this.onError(error)
      if (!reader.closed) {
        this.finish(reader, false)
        reader.follower.error(error instanceof Error ? error : new Error(String(error)))
      }
      return
    }
    reader.fetching = false
    this.drain(reader)
  }

  /** Delivers the live events that came during a replay, then ends the reader if the stream has. */
  private drain(reader: Reader): void {
    if (reader.fetching || reader.paused || reader.closed) return
    const pending = reader.pending
    reader.pending = []
    for (const event of pending) {
      if (event.seq < reader.next) continue
      // A gap: the events between were written before this reader listened.
      if (event.seq > reader.next) {
        void this.catchUp(reader)
        return
      }
      this.deliver(reader, event)
      if (reader.paused || reader.closed) return
    }
    if (reader.endSeq !== undefined && reader.next > reader.endSeq) this.finish(reader, true)
  }

  private deliver(reader: Reader, event: StoredEvent): void {
    reader.next = event.seq + 1
    const more = reader.follower.event(event)
    if (!more && !reader.closed) reader.paused = true
  }

  private finish(reader: Reader, tell: boolean): void {
    if (reader.closed) return
    reader.closed = true
    const set = this.readers.get(reader.id)
    set?.delete(reader)
    if (set?.size === 0) this.readers.delete(reader.id)
    if (tell) reader.follower.end()
  }
}
