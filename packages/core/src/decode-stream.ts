import { isStreamError, type StreamError } from './errors.js'
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
  const message = options.lenient ? lenientMessage(decoder, options) : strictMessage(decoder)
  const position: Position = {}
  let current = source
  try {
    while (true) {
      // A fresh framer per connection: a resumed stream starts at an event boundary, so
      // half an event left from the dropped connection must not be joined to it.
      const framer = createFramer(decoder, message, out, options, position)
      let dropped: StreamError | undefined
      try {
        for await (const text of readText(current, options.signal)) {
          options.onActivity?.()
          framer.feed(text)
          if (out.length > 0) {
            yield out
            out.length = 0
          }
          // Leaving the loop cancels the body: after the terminal signal nothing is left to read.
          if (decoder.closed) return
        }
        framer.end()
        if (decoder.closed) break
        if (options.reconnect === undefined) {
          decoder.end(out)
          break
        }
        try {
          decoder.end(out)
          break
        } catch (error) {
          if (!isStreamError(error) || error.kind !== 'interrupted') throw error
          dropped = error
        }
      } catch (error) {
        if (!isStreamError(error) || error.kind !== 'network' || options.reconnect === undefined) throw error
        dropped = error
      }
      const next = position.lastEventId === undefined ? undefined : await resume(options, position.lastEventId, dropped)
      if (next === undefined) throw dropped
      current = next
    }
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
 */
class PartIterator implements AsyncIterableIterator<StreamPart> {
  private batch: readonly StreamPart[] = NO_PARTS
  private index = 0

  constructor(private readonly batches: AsyncGenerator<StreamPart[], void, undefined>) {}

  next(): Promise<IteratorResult<StreamPart>> {
    if (this.index < this.batch.length) {
      return Promise.resolve({ value: this.batch[this.index++] as StreamPart, done: false })
    }
    return this.nextBatch()
  }

  private async nextBatch(): Promise<IteratorResult<StreamPart>> {
    this.batch = NO_PARTS
    const result = await this.batches.next()
    if (result.done) return { value: undefined, done: true }
    this.batch = result.value
    this.index = 1
    return { value: result.value[0] as StreamPart, done: false }
  }

  async return(): Promise<IteratorResult<StreamPart>> {
    this.batch = NO_PARTS
    // Ends the loop, whose cleanup cancels the body.
    await this.batches.return()
    return { value: undefined, done: true }
  }

  async throw(error?: unknown): Promise<IteratorResult<StreamPart>> {
    this.batch = NO_PARTS
    await this.batches.throw(error)
    return { value: undefined, done: true }
  }

  [Symbol.asyncIterator](): this {
    return this
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

type MessageHandler = (data: string, event: string | undefined, out: StreamPart[]) => void

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
          message(data, event, out)
        },
        { maxEventSize: options.maxEventSize, onRetry: options.onRetry },
      )
    }
    case 'ndjson':
      return createLineFramer(
        (line, _number, terminated) => {
          if (terminated) return message(line, undefined, out)
          try {
            message(line, undefined, out)
          } catch (error) {
            // A last line that ends with the bytes, not a newline, and does not parse was cut off.
            if (isStreamError(error) && error.kind === 'parse') throw interrupted('its last line was complete')
            throw error
          }
        },
        { maxLineSize: options.maxEventSize },
      )
    case 'text':
      return { feed: (text) => message(text, undefined, out), end() {} }
  }
}

// After the terminal signal, whatever else the same chunk holds is not part of the answer.
function strictMessage(decoder: ProtocolDecoder): MessageHandler {
  return (data, event, out) => {
    if (!decoder.closed) decoder.message(data, event, out)
  }
}

function lenientMessage(decoder: ProtocolDecoder, options: DecodeStreamOptions): MessageHandler {
  return (data, event, out) => {
    if (decoder.closed) return
    try {
      decoder.message(data, event, out)
    } catch (error) {
      if (!isStreamError(error) || error.kind !== 'parse') throw error
      options.onMalformed?.(error)
    }
  }
}
