import { isStreamError, StreamError } from './errors.js'
import { createLineFramer } from './framing/ndjson.js'
import { createTextReader, type TextReader } from './framing/source.js'
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
  return new PartIterator(source, decoder, options)
}

const DONE: IteratorResult<StreamPart> = Object.freeze({ value: undefined, done: true })

/**
 * The decoding loop, driven by the consumer's `next()` calls: one awaited read per chunk, whose
 * text is framed and decoded at once into `out`; the parts of a chunk are then handed out as
 * resolved promises, with nothing else to resume. There is no generator between the body's
 * reader and the consumer: per token the cost is one promise and one result.
 *
 * Calls made before the previous one settled (iterator helpers, prefetching combinators) queue
 * behind it, as the AsyncIterator contract asks: `out` is only refilled once handed out.
 */
class PartIterator implements AsyncIterableIterator<StreamPart> {
  /** The parts of the last chunk read; `index` of them handed out. */
  private readonly out: StreamPart[] = []
  private index = 0
  /** The last call that had to wait for a read, until it settles. */
  private pending: Promise<IteratorResult<StreamPart>> | undefined
  private readonly message: MessageHandler
  private readonly skipped: Skipped = { count: 0 }
  private readonly position: Position = {}
  private current: ByteSource
  private reader: TextReader | undefined
  private framer: Framer | undefined
  /** Nothing more will be read; what is left in `out`, then `failure` if any, goes out. */
  private ended = false
  private failure: { error: unknown } | undefined
  /** Whether the last part that went out was a finish. */
  private finished = false

  constructor(
    source: ByteSource,
    private readonly decoder: ProtocolDecoder,
    private readonly options: DecodeStreamOptions,
  ) {
    this.current = source
    this.message = options.lenient ? lenientMessage(decoder, options, this.skipped) : strictMessage(decoder)
  }

  next(): Promise<IteratorResult<StreamPart>> {
    // Fast path, a part already decoded and no call waiting: no async function, no queue. It
    // saves about 5% of decode's time on 100,000 Anthropic tokens (benchmarks/src/decode.bench.ts).
    if (this.pending === undefined && this.index < this.out.length) {
      return Promise.resolve({ value: this.out[this.index++] as StreamPart, done: false })
    }
    return this.enqueue(this.step)
  }

  return(): Promise<IteratorResult<StreamPart>> {
    return this.enqueue(async () => {
      this.stop()
      return DONE
    })
  }

  throw(error?: unknown): Promise<IteratorResult<StreamPart>> {
    return this.enqueue(async () => {
      this.stop()
      throw error
    })
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  /** Ends the stream here: cancels the body, and nothing decoded but not handed out goes out. */
  private stop(): void {
    this.ended = true
    this.failure = undefined
    this.out.length = 0
    this.index = 0
    this.reader?.cancel()
  }

  private readonly step = async (): Promise<IteratorResult<StreamPart>> => {
    if (this.index < this.out.length) return { value: this.out[this.index++] as StreamPart, done: false }
    this.out.length = 0
    this.index = 0
    if (!this.ended) {
      try {
        await this.fill()
      } catch (error) {
        // Nothing received is dropped: the parts decoded before the error go out first.
        this.ended = true
        this.failure = { error }
        this.reader?.cancel()
      }
      if (this.out.length > 0) {
        this.finished = (this.out[this.out.length - 1] as StreamPart).type === 'finish'
        this.index = 1
        return { value: this.out[0] as StreamPart, done: false }
      }
    }
    const failure = this.failure
    if (failure === undefined) return DONE
    this.failure = undefined
    throw failure.error
  }

  /** Reads until a chunk yields parts or the stream ends; throws what ends it badly. */
  private async fill(): Promise<void> {
    const { decoder, options, out } = this
    while (true) {
      if (this.reader === undefined) {
        this.reader = createTextReader(this.current, options.signal)
        // A fresh framer per connection: a resumed stream starts at an event boundary, so
        // half an event left from the dropped connection must not be joined to it.
        this.framer = createFramer(decoder, this.message, out, options, this.position)
      }
      const framer = this.framer as Framer
      let text: string | undefined
      try {
        text = await this.reader.read()
      } catch (error) {
        if (!isStreamError(error) || error.kind !== 'network' || options.reconnect === undefined) throw error
        await this.reconnect(error)
        continue
      }
      if (text !== undefined) {
        options.onActivity?.()
        framer.feed(text)
        // After the terminal signal nothing is left to read: the body is cancelled at once.
        if (decoder.closed) return this.end()
        if (out.length > 0) return
        continue
      }
      framer.end()
      if (!decoder.closed) {
        try {
          decoder.end(out)
        } catch (error) {
          const typed = typedError(error)
          if (typed.kind !== 'interrupted' || options.reconnect === undefined) throw typed
          await this.reconnect(typed)
          continue
        }
      }
      return this.end()
    }
  }

  private end(): void {
    this.ended = true
    this.reader?.cancel()
    const { out } = this
    const finished = out.length > 0 ? (out[out.length - 1] as StreamPart).type === 'finish' : this.finished
    // Every decoder ends a complete answer with a finish part. In lenient mode, one missing after
    // a skipped event means that event carried the end: the answer is cut short, not done.
    if (this.skipped.count > 0 && !finished) throw new StreamError('interrupted', MALFORMED_END)
  }

  /** Goes on with the server's continuation of a dropped stream, or throws why it dropped. */
  private async reconnect(dropped: StreamError): Promise<void> {
    const { lastEventId } = this.position
    const next = lastEventId === undefined ? undefined : await resume(this.options, lastEventId, dropped)
    if (next === undefined) throw dropped
    this.current = next
    this.reader = undefined
  }

  private enqueue(run: () => Promise<IteratorResult<StreamPart>>): Promise<IteratorResult<StreamPart>> {
    // After a rejection the queue goes on: the stream has ended, so the calls behind it get `done`.
    const result = this.pending === undefined ? run() : this.pending.then(run, run)
    this.pending = result
    // Registered before the caller's own callbacks, so the caller's next call takes the fast path.
    const settled = this.settled(result)
    result.then(settled, settled)
    return result
  }

  private settled(result: Promise<unknown>): () => void {
    return () => {
      if (this.pending === result) this.pending = undefined
    }
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
