/**
 * A `StreamStore` in this process's memory: for a server that runs as one instance.
 */
import { type Follower, MemoryLog, type Subscription } from './log.js'
import type { CreateResult, StreamFormat, StreamInfo, StreamStore } from './store.js'

export interface MemoryStoreOptions {
  /**
   * How long a stream's events are kept after it ends, and how long a live stream keeps
   * generating with nobody reading it. Default 60 s.
   */
  retentionMs?: number
  /** Streams held at once, live or retained. Default 1000. */
  maxStreams?: number
  /** Characters of event data held across all streams. Default 64 Mi. */
  maxBytes?: number
  now?: () => number
}

interface Entry {
  id: string
  format: StreamFormat
  log: MemoryLog
  /** When it ended, or when its last reader left (a live stream nobody reads). */
  idleSince: number | undefined
  cancelListeners: Set<() => void>
}

/**
 * The default store: in this process's memory, bounded in streams and bytes. Past the byte
 * bound, ended streams go first (oldest first), then the oldest events of the growing stream.
 */
export class MemoryStreamStore implements StreamStore {
  private readonly entries = new Map<string, Entry>()
  /** Ids cancelled before (or after) they existed, until the window ends. Insertion-ordered. */
  private readonly tombstones = new Map<string, number>()
  private bytes = 0
  private readonly retentionMs: number
  private readonly maxStreams: number
  private readonly maxBytes: number
  private readonly now: () => number
  private readonly sweeper: ReturnType<typeof setInterval>

  constructor(options: MemoryStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? 60_000
    this.maxStreams = options.maxStreams ?? 1000
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    this.now = options.now ?? Date.now
    this.sweeper = setInterval(() => this.sweep(), Math.min(10_000, Math.max(50, this.retentionMs / 4)))
    this.sweeper.unref()
  }

  async create(id: string, format: StreamFormat): Promise<CreateResult> {
    this.sweep()
    if (this.tombstones.has(id)) return 'cancelled'
    if (this.entries.has(id)) return 'exists'
    if (this.entries.size >= this.maxStreams && !this.evictOldestEnded()) return 'full'
    const entry: Entry = { id, format, log: new MemoryLog(), idleSince: this.now(), cancelListeners: new Set() }
    // The last reader left a stream: its window starts now.
    entry.log.onIdle = () => {
      entry.idleSince = this.now()
    }
    this.entries.set(id, entry)
    return 'created'
  }

  append(id: string, data: string): number {
    const entry = this.entries.get(id)
    if (entry === undefined) throw new Error(`No stream ${id}`)
    const seq = entry.log.append(data)
    this.bytes += data.length
    if (this.bytes > this.maxBytes) this.shrink(entry)
    return seq
  }

  async end(id: string): Promise<void> {
    const entry = this.entries.get(id)
    if (entry === undefined || entry.log.done) return
    entry.log.end()
    entry.idleSince = this.now()
    entry.cancelListeners.clear()
  }

  async info(id: string): Promise<StreamInfo | undefined> {
    const entry = this.entries.get(id)
    if (entry === undefined) return undefined
    const { log } = entry
    return { id, format: entry.format, lastSeq: log.lastSeq, firstSeq: log.firstSeq, done: log.done }
  }

  follow(id: string, after: number, follower: Follower): Subscription | undefined {
    const entry = this.entries.get(id)
    if (entry === undefined) return undefined
    entry.idleSince = undefined
    return entry.log.follow(after, follower)
  }

  async cancel(id: string): Promise<boolean> {
    this.remember(id)
    const entry = this.entries.get(id)
    if (entry === undefined) return false
    this.remove(entry)
    for (const listener of entry.cancelListeners) listener()
    return true
  }

  onCancel(id: string, listener: () => void): () => void {
    const entry = this.entries.get(id)
    if (entry === undefined) return () => {}
    entry.cancelListeners.add(listener)
    return () => entry.cancelListeners.delete(listener)
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
  }

  /** Streams and characters held, for stats and tests. */
  size(): { streams: number; bytes: number; tombstones: number } {
    return { streams: this.entries.size, bytes: this.bytes, tombstones: this.tombstones.size }
  }

  /** Forgets ended streams past the window, and stops live ones nobody has read for as long. */
  private sweep(): void {
    const now = this.now()
    for (const entry of [...this.entries.values()]) {
      if (entry.idleSince === undefined || entry.log.readers > 0 || now - entry.idleSince < this.retentionMs) continue
      if (entry.log.done) this.remove(entry)
      else void this.cancel(entry.id)
    }
    for (const [id, expiresAt] of this.tombstones) {
      if (expiresAt > now) break
      this.tombstones.delete(id)
    }
  }

  private remember(id: string): void {
    this.tombstones.delete(id)
    this.tombstones.set(id, this.now() + this.retentionMs)
    // Bounded like the rest: the oldest go first.
    if (this.tombstones.size > this.maxStreams * 10) {
      const oldest = this.tombstones.keys().next().value
      if (oldest !== undefined) this.tombstones.delete(oldest)
    }
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.id)
    this.bytes -= entry.log.bytes
    entry.log.dispose()
  }

  private evictOldestEnded(): boolean {
    for (const entry of this.entries.values()) {
      if (!entry.log.done) continue
      this.remove(entry)
      return true
    }
    return false
  }

  private shrink(growing: Entry): void {
    for (const entry of [...this.entries.values()]) {
      if (this.bytes <= this.maxBytes) return
      if (entry !== growing && entry.log.done) this.remove(entry)
    }
    if (this.bytes > this.maxBytes) {
      const excess = this.bytes - this.maxBytes
      let freed = 0
      let seq = growing.log.firstSeq
      // Keep the newest event whatever its size: a reader at the live edge must get it.
      while (freed < excess && seq < growing.log.lastSeq) freed += growing.log.trim(seq++)
      this.bytes -= freed
    }
  }
}
