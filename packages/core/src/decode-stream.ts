import { isStreamError, StreamError } from './errors.js'
import { createLineFramer } from './framing/ndjson.js'
import { readText } from './framing/source.js'
import { createSSEFramer } from './framing/sse.js'
import { interrupted, type ProtocolDecoder } from './protocols/protocol.js'
import type { ByteSource, StreamPart } from './types.js'

/** Everything `decode` takes but the protocol. */
export interface DecodeStreamOptions {
  signal?: AbortSignal
  /**
   * Skip malformed events (invalid JSON, wrong shape) instead of throwing kind `parse`;
   * each one skipped is reported to `onMalformed`. Default false.
   */
  lenient?: boolean
  onMalformed?(error: StreamError): void
  /** Largest SSE event or NDJSON line, in characters; past it, kind `limit`. Default 8 MiB. */
  maxEventSize?: number
  /** SSE `id:` of each event as it arrives: the position to resume from with `Last-Event-ID`. */
  onEventId?(id: string): void
  /** SSE `retry:` reconnection time asked for by the server. */
  onRetry?(ms: number): void
  /** Called for every chunk of bytes read: a sign of life, for stall timeouts. */
  onActivity?(): void
  /**
   * Resumes a dropped SSE stream. Called with the last event ID when the body fails (kind
   * `network`) or ends before the protocol's terminal signal (kind `interrupted`); return the
   * server's continuation from that ID (a `Last-Event-ID` request) to go on decoding with the
   * same state, or `undefined` to fail with the original error. Never called after an abort or
   * before any event carried an id.
   */
  reconnect?(context: {
    lastEventId: string
    error: StreamError
  }): Promise<ByteSource | undefined> | ByteSource | undefined
}

/**
 * Decodes a byte source with one protocol decoder: the driver behind `decode`, and what a
 * transport for a single wire format uses, so only that format's decoder is bundled.
 */
export function decodeWith(
  source: ByteSource,
  decoder: ProtocolDecoder,
  options: DecodeStreamOptions = {},
): AsyncIterableIterator<StreamPart> {
  return new PartIterator(decodeBatches(source, decoder, options))
}

/**
 * The decoding loop. It yields the parts of each chunk as one batch (the same array, refilled):
 * a generator resumes once per chunk, not once per token.
 */
async function* decodeBatches(
  source: ByteSource,
  decoder: ProtocolDecoder,
  options: DecodeStreamOptions,
): AsyncGenerator<StreamPart[], void, undefined> {
  const out: StreamPart[] = []
  const skipped: Skipped = { count: 0 }
  const message = options.lenient ? lenientMessage(decoder, options, skipped) : strictMessage(decoder)
  const position: Position = {}
  let current = source
  let finished = false
  try {
    reading: while (true) {
      // A fresh framer per connection: a resumed stream starts at an event boundary, so
      // half an event left from the dropped connection must not be joined to it.
      const framer = createFramer(decoder, message, out, options, position)
      let dropped: StreamError | undefined
      try {
        for await (const text of readText(current, options.signal)) {
          options.onActivity?.()
          framer.feed(text)
          if (out.length > 0) {
            finished = (out[out.length - 1] as StreamPart).type === 'finish'
            yield out
            out.length = 0
          }
          // Leaving the loop cancels the body: after the terminal signal nothing is left to read.
          if (decoder.closed) break reading
        }
        framer.end()
        if (decoder.closed) break
        try {
          decoder.end(out)
          break
        } catch (error) {
          const typed = typedError(error)
          if (typed.kind !== 'interrupted' || options.reconnect === undefined) throw typed
          dropped = typed
        }
      } catch (error) {
        if (!isStreamError(error) || error.kind !== 'network' || options.reconnect === undefined) throw error
        dropped = error
      }
      const next = position.lastEventId === undefined ? undefined : await resume(options, position.lastEventId, dropped)
      if (next === undefined) throw dropped
      current = next
    }
    if (out.length > 0) finished = (out[out.length - 1] as StreamPart).type === 'finish'
    // Every decoder ends a complete answer with a finish part. In lenient mode, one missing after
    // a skipped event means that event carried the end: the answer is cut short, not done.
    if (skipped.count > 0 && !finished) throw new StreamError('interrupted', MALFORMED_END)
  } catch (error) {
    // Nothing received is dropped: the parts decoded before the error go out first.
    if (out.length > 0) yield out
    throw error
  }
  if (out.length > 0) yield out
}

const NO_PARTS: readonly StreamPart[] = []

/**
 * Hands out the batches' parts one by one. A part already decoded is returned as a resolved
 * promise, with no generator to resume: per token, the cost is one promise and one result.
 *
 * Calls made before the previous one settled (iterator helpers, prefetching combinators) queue
 * behind it, as the AsyncIterator contract asks: the next batch is only read once the current
 * one is handed out, because the loop refills the same array.
 */
class PartIterator implements AsyncIterableIterator<StreamPart> {
  private batch: readonly StreamPart[] = NO_PARTS
  private index = 0
  /** The last call that had to wait for the loop, until it settles. */
  private pending: Promise<IteratorResult<StreamPart>> | undefined

  constructor(private readonly batches: AsyncGenerator<StreamPart[], void, undefined>) {}

  next(): Promise<IteratorResult<StreamPart>> {
    if (this.pending === undefined && this.index < this.batch.length) {
      return Promise.resolve({ value: this.batch[this.index++] as StreamPart, done: false })
    }
    return this.enqueue(this.step)
  }

  async return(): Promise<IteratorResult<StreamPart>> {
    return this.enqueue(async () => {
      this.batch = NO_PARTS
      // Ends the loop, whose cleanup cancels the body.
      await this.batches.return()
      return { value: undefined, done: true }
    })
  }

  async throw(error?: unknown): Promise<IteratorResult<StreamPart>> {
    return this.enqueue(async () => {
      this.batch = NO_PARTS
      await this.batches.throw(error)
      return { value: undefined, done: true }
    })
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  private readonly step = async (): Promise<IteratorResult<StreamPart>> => {
    if (this.index < this.batch.length) return { value: this.batch[this.index++] as StreamPart, done: false }
    this.batch = NO_PARTS
    const result = await this.batches.next()
    if (result.done) return { value: undefined, done: true }
    this.batch = result.value
    this.index = 1
    return { value: result.value[0] as StreamPart, done: false }
  }

  private enqueue(run: () => Promise<IteratorResult<StreamPart>>): Promise<IteratorResult<StreamPart>> {
    // After a rejection the queue goes on: the loop has ended, so the calls behind it get `done`.
    const result = this.pending === undefined ? run() : this.pending.then(run, run)
    this.pending = result
    // Registered before the caller's own callbacks, so the caller's next call takes the fast path.
    const settled = () => {
      if (this.pending === result) this.pending = undefined
    }
    result.then(settled, settled)
    return result
  }
}

interface Position {
  lastEventId?: string
}

async function resume(
  options: DecodeStreamOptions,
  lastEventId: string,
  error: StreamError,
): Promise<ByteSource | undefined> {
  if (options.signal?.aborted) return undefined
  return options.reconnect?.({ lastEventId, error })
}

/** One framed message to the decoder; true once the decoder is closed, so the framer reads no further. */
type MessageHandler = (data: string, event: string | undefined, out: StreamPart[]) => boolean

interface Framer {
  feed(text: string): void
  end(): void
}

function createFramer(
  decoder: ProtocolDecoder,
  message: MessageHandler,
  out: StreamPart[],
  options: DecodeStreamOptions,
  position: Position,
): Framer {
  switch (decoder.framing) {
    case 'sse': {
      const { onEventId } = options
      return createSSEFramer(
        (data, event, id) => {
          if (id !== undefined && id !== position.lastEventId) {
            position.lastEventId = id
            onEventId?.(id)
          }
          return message(data, event, out)
        },
        { maxEventSize: options.maxEventSize, onRetry: options.onRetry },
      )
    }
    case 'ndjson':
      return createLineFramer(
        (line, _number, terminated) => {
          if (terminated) return message(line, undefined, out)
          try {
            return message(line, undefined, out)
          } catch (error) {
            // A last line that ends with the bytes, not a newline, and does not parse was cut off.
            if (isStreamError(error) && error.kind === 'parse') throw interrupted('its last line was complete')
            throw error
          }
        },
        { maxLineSize: options.maxEventSize },
      )
    case 'text':
      return {
        feed: (text) => {
          message(text, undefined, out)
        },
        end() {},
      }
  }
}

// The framers read nothing after the terminal signal: whatever else the same chunk holds is not
// part of the answer, and cannot fail it (an oversized line after `[DONE]` is never read).
function strictMessage(decoder: ProtocolDecoder): MessageHandler {
  return (data, event, out) => {
    try {
      decoder.message(data, event, out)
    } catch (error) {
      throw typedError(error)
    }
    return decoder.closed
  }
}

function lenientMessage(decoder: ProtocolDecoder, options: DecodeStreamOptions, skipped: Skipped): MessageHandler {
  return (data, event, out) => {
    try {
      decoder.message(data, event, out)
    } catch (thrown) {
      const error = typedError(thrown)
      if (error.kind !== 'parse') throw error
      skipped.count++
      options.onMalformed?.(error)
      // The terminal event itself was malformed: the decoder stopped without the parts its signal
      // carries, so the stream lacks its end as surely as one cut off before it.
      if (decoder.closed) throw new StreamError('interrupted', MALFORMED_END, { cause: error })
    }
    return decoder.closed
  }
}

const MALFORMED_END = 'The stream ended with a malformed terminal event'

interface Skipped {
  count: number
}

/**
 * A decoder throws `StreamError`s; anything else it throws is still caused by the content it
 * was given, so it leaves as kind `parse`. A `RangeError` here is a stack overflow: a value
 * nested too deeply for a recursive walk (`JSON.parse` itself is iterative in V8, but
 * `JSON.stringify` of a parsed value, or a decoder's own walk over it, recurses).
 */
function typedError(error: unknown): StreamError {
  if (isStreamError(error)) return error
  const message =
    error instanceof RangeError
      ? 'An event nested too deeply to decode'
      : `An event could not be decoded: ${error instanceof Error ? error.message : String(error)}`
  return new StreamError('parse', message, { cause: error })
}
