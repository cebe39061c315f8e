/**
 * An append-only log of one stream's wire events, numbered 1, 2, 3…, that readers follow from
 * any position: the events after it, then the live ones as they are appended. Delivery is a
 * synchronous call per event (no promise per token); a reader that cannot take more pauses
 * and catches up from the log when it can, so the producer never waits for anyone.
 */
export interface StoredEvent {
  /** 1, 2, 3… per stream: the SSE `id:` and the WebSocket `seq`. */
  seq: number
  /** The event as written on the wire, without its id. */
  data: string
}

export interface Follower {
  /** One event; return false to pause until `resume()`. */
  event(event: StoredEvent): boolean
  /** The stream ended (or was cancelled): nothing more will come. */
  end(): void
  /** The reader's position is no longer held (`EventsTrimmedError`). */
  error(error: Error): void
}

export interface Subscription {
  /** Goes on after a pause: catches up from the log, then live again. */
  resume(): void
  /** Stops delivery. */
  close(): void
}

/** A reader's position was trimmed away (the store's size bound). */
export class EventsTrimmedError extends Error {
  constructor(readonly firstSeq: number) {
    super(`Events before ${firstSeq} are no longer retained`)
  }
}

interface Reader {
  follower: Follower
  next: number
  paused: boolean
  closed: boolean
  consume: boolean
}

export class MemoryLog {
  // A queue with a moving head: trimming from the front must not copy the array each time.
  private events: (string | undefined)[] = []
  private base = 1
  private head = 0
  private readonly live = new Set<Reader>()
  private open = 0
  lastSeq = 0
  bytes = 0
  done = false
  /** Called when the last reader leaves. */
  onIdle: (() => void) | undefined
  /** Producers waiting for a consuming reader to take what is held (`waitForRoom`). */
  private roomWaiters: (() => void)[] = []
  private roomAt = 0

  /** The oldest event still held; `lastSeq + 1` when none is. */
  get firstSeq(): number {
    return this.base + this.head
  }

  /** Readers following now (live or paused). */
  get readers(): number {
    return this.open
  }

  append(data: string): number {
    if (this.done) throw new Error('append after end')
    this.events.push(data)
    this.bytes += data.length
    this.lastSeq++
    for (const reader of this.live) this.deliver(reader)
    return this.lastSeq
  }

  /**
   * For a log its one reader consumes: undefined while it holds under `maxBytes`, else a promise
   * that resolves once the reader has taken half of it (or left, or the log ended). This is how
   * the producer waits for a slow reader instead of piling the answer up here.
   */
  waitForRoom(maxBytes: number): Promise<void> | undefined {
    if (this.bytes < maxBytes || this.done || this.open === 0) return undefined
    this.roomAt = Math.floor(maxBytes / 2)
    return new Promise((resolve) => this.roomWaiters.push(resolve))
  }

  private wakeProducers(): void {
    const waiters = this.roomWaiters
    if (waiters.length === 0) return
    this.roomWaiters = []
    for (const resolve of waiters) resolve()
  }

  end(): void {
    if (this.done) return
    this.done = true
    this.wakeProducers()
    for (const reader of [...this.live]) this.deliver(reader)
  }

  /** Removed from its store (cancelled or expired): readers end, memory goes. */
  dispose(): void {
    this.done = true
    this.events = []
    this.head = 0
    this.base = this.lastSeq + 1
    this.bytes = 0
    this.wakeProducers()
    for (const reader of [...this.live]) this.finish(reader)
  }

  /** Drops the events up to `seq`, included. Returns the characters freed. */
  trim(seq: number): number {
    let freed = 0
    while (this.firstSeq <= Math.min(seq, this.lastSeq)) {
      freed += this.events[this.head]?.length ?? 0
      this.events[this.head++] = undefined
    }
    if (this.head === this.events.length) {
      this.base += this.head
      this.events = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.events.length) {
      this.events = this.events.slice(this.head)
      this.base += this.head
      this.head = 0
    }
    this.bytes -= freed
    if (this.bytes <= this.roomAt) this.wakeProducers()
    return freed
  }

  /**
   * Delivers the events after `after`, then live ones, until the log ends or the subscription
   * is closed. `consume` trims each event once delivered (a log with a single reader).
   */
  follow(after: number, follower: Follower, consume = false): Subscription {
    const reader: Reader = { follower, next: after + 1, paused: false, closed: false, consume }
    this.open++
    this.deliver(reader)
    return {
      resume: () => {
        if (!reader.paused || reader.closed) return
        reader.paused = false
        this.deliver(reader)
      },
      close: () => this.finish(reader, false),
    }
  }

  private deliver(reader: Reader): void {
    while (!reader.closed && !reader.paused) {
      if (reader.next < this.firstSeq && reader.next <= this.lastSeq) {
        this.finish(reader, false)
        reader.follower.error(new EventsTrimmedError(this.firstSeq))
        return
      }
      if (reader.next <= this.lastSeq) {
        const seq = reader.next++
        const more = reader.follower.event({ seq, data: this.events[this.head + (seq - this.firstSeq)] as string })
        if (reader.consume) this.trim(seq)
        if (!more && !reader.closed) {
          reader.paused = true
          this.live.delete(reader)
        }
        continue
      }
      if (this.done) {
        this.finish(reader)
        return
      }
      this.live.add(reader)
      return
    }
  }

  private finish(reader: Reader, tell = true): void {
    if (reader.closed) return
    reader.closed = true
    this.live.delete(reader)
    this.open--
    if (tell) reader.follower.end()
    if (this.open === 0) {
      this.wakeProducers()
      this.onIdle?.()
    }
  }
}
