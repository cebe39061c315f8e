/**
 * Where resumable streams live between connections. The server writes each stream's wire
 * events here as it generates them; any connection (the one that started the stream, or a
 * resume after a drop) reads them back from a position. The interface is small and async so a
 * shared store (`RedisStreamStore`) can stand in when the server runs as several instances.
 */
import type { Follower, Subscription } from './log.js'

/** How a stream's events are written: SSE of one provider, or WebSocket frames. */
export type StreamFormat = 'openai-chat' | 'anthropic' | 'ws'

export interface StreamInfo {
  id: string
  format: StreamFormat
  /** The newest event's seq (0 before the first). */
  lastSeq: number
  /** The oldest event still held: a resume from before it is impossible. */
  firstSeq: number
  /** No more events will come (finished, failed or stopped). */
  done: boolean
}

export type CreateResult =
  /** The id is the new stream's. */
  | 'created'
  /** Another stream has it. */
  | 'exists'
  /** A cancel for this id came first: the stream must not start. */
  | 'cancelled'
  /** The store is at its stream limit, every stream in it still live. */
  | 'full'

export interface StreamStore {
  create(id: string, format: StreamFormat): Promise<CreateResult>
  /**
   * Appends the stream's next event; returns its seq (1, 2, 3…). A store in this process
   * answers at once; one that writes elsewhere may answer with a promise.
   */
  append(id: string, data: string): number | Promise<number>
  /** No more events: readers get what is left, then the end. The events stay for the retention window. */
  end(id: string): Promise<void>
  info(id: string): Promise<StreamInfo | undefined>
  /**
   * Delivers the events after `after`, then the live ones, to `follower` until the stream ends
   * or is cancelled (`follower.end()`), or the subscription is closed. `follower.error()` gets
   * an `EventsTrimmedError` when `after` is older than what is held. A store in this process
   * answers undefined for an unknown id; one that looks elsewhere answers with a subscription
   * and ends the follower once it finds no such stream.
   */
  follow(id: string, after: number, follower: Follower): Subscription | undefined
  /**
   * Stops the stream wherever it runs and forgets it. Returns false for an unknown id, which
   * is remembered anyway: a stream created later with it starts cancelled (a cancel may
   * overtake the request it cancels).
   */
  cancel(id: string): Promise<boolean>
  /** Calls `listener` when the stream is cancelled (by `cancel`, or left unread past the window). */
  onCancel(id: string, listener: () => void): () => void
  /** Releases timers and connections. */
  close(): Promise<void>
}
