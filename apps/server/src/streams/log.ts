/**
 * An append-only log of one stream's wire events, numbered 1, 2, 3…, that readers follow from
 * any position: the events after it, then the live ones as they come. The producer never
 * waits for readers, and a reader that falls behind costs only the events it has not read.
 */
export interface StoredEvent {
  /** 1, 2, 3… per stream: the SSE `id:` and the WebSocket `seq`. */
  seq: number
  /** The event as written on the wire, without its id. */
  data: string
}

/** Thrown to a reader whose position was trimmed away (the store's size bound). */
export class EventsTrimmedError extends Error {
  constructor(readonly firstSeq: number) {
    super(`Events before ${firstSeq} are no longer retained`)
  }
}

export class MemoryLog {
  // A queue with a moving head: trimming from the front must not copy the array each time.
  private events: (string | undefined)[] = []
  private base = 1
  private head = 0
  private waiters: (() => void)[] = []
  lastSeq = 0
  bytes = 0
  done = false
  /** Removed from its store (cancelled or expired): readers stop. */
  gone = false
  readers = 0

  /** The oldest event still held; `lastSeq + 1` when none is. */
  get firstSeq(): number {
    return this.base + this.head
  }

  append(data: string): number {
    if (this.done) throw new Error('append after end')
    this.events.push(data)
    this.bytes += data.length
    this.lastSeq++
    this.wake()
    return this.lastSeq
  }

  end(): void {
    this.done = true
    this.wake()
  }

  dispose(): void {
    this.gone = true
    this.done = true
    this.events = []
    this.head = 0
    this.base = this.lastSeq + 1
    this.bytes = 0
    this.wake()
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
    return freed
  }

  /**
   * The events after `after`, then live ones, until the log ends, is disposed or `signal`
   * aborts. `consume` trims each event once read (a log with a single reader).
   */
  async *read(after: number, signal: AbortSignal, consume = false): AsyncGenerator<StoredEvent, void, undefined> {
    this.readers++
    try {
      let next = after + 1
      while (!signal.aborted && !this.gone) {
        if (next < this.firstSeq) throw new EventsTrimmedError(this.firstSeq)
        if (next <= this.lastSeq) {
          const data = this.events[this.head + (next - this.firstSeq)] as string
          yield { seq: next, data }
          if (consume) this.trim(next)
          next++
          continue
        }
        if (this.done) return
        await this.changed(signal)
      }
    } finally {
      this.readers--
    }
  }

  /** Resolves on the next append, end or disposal, or when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const done = () => {
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.waiters.push(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  private wake(): void {
    if (this.waiters.length === 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }
}
