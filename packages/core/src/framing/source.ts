import { StreamError } from '../errors.js'
import { httpError } from '../http-error.js'
import type { ByteSource } from '../types.js'

interface ChunkReader {
  read(): Promise<{ done?: boolean | undefined; value?: Uint8Array | string | undefined }>
  cancel(reason?: unknown): void
}

/**
 * Reads any `ByteSource` as decoded text chunks.
 *
 * UTF-8 is decoded in streaming mode, so a character split across chunks comes out whole;
 * the BOM is dropped. A non-2xx `Response` throws kind `http`; a failing body throws kind
 * `network`; `signal` throws kind `aborted` and cancels the body so no connection stays open.
 * Returning early (a consumer's `break`) cancels the body too.
 *
 * A source that cannot be read is kind `network` too, as a body failing mid-read is: a
 * `Response` whose body was already read, a locked stream, something that is no `ByteSource`,
 * or a chunk that is neither bytes nor a string. Only `StreamError`s are thrown.
 */
export async function* readText(source: ByteSource, signal?: AbortSignal): AsyncGenerator<string, void, undefined> {
  const reader = createTextReader(source, signal)
  try {
    for (let text = await reader.read(); text !== undefined; text = await reader.read()) yield text
  } finally {
    reader.cancel()
  }
}

/** `readText` as a pull reader: one awaited call per chunk, no generator between. */
export interface TextReader {
  /** The next piece of text, or `undefined` once the source ended. Throws `StreamError`s only. */
  read(): Promise<string | undefined>
  /** Stops reading and cancels the body; nothing after the end, an error or a cancel is read. */
  cancel(): void
}

export function createTextReader(source: ByteSource, signal?: AbortSignal): TextReader {
  let reader: ChunkReader | undefined
  let started = false
  let finished = false
  // One decoder per stream: `stream: true` keeps a split multi-byte sequence until its end arrives.
  const decoder = new TextDecoder()
  let first = true
  const onAbort = () => reader?.cancel(signal?.reason)
  const finish = (cancel: boolean) => {
    if (finished) return
    finished = true
    signal?.removeEventListener('abort', onAbort)
    if (cancel) reader?.cancel(signal?.reason)
  }

  const open = async () => {
    started = true
    if (signal?.aborted) {
      cancelSource(source, signal.reason)
      throw abortError(signal)
    }
    if (isResponse(source) && !source.ok) throw await httpError(source)
    reader = openReader(source, signal)
    signal?.addEventListener('abort', onAbort, { once: true })
  }

  // Text from one chunk: undefined for a chunk that decodes to nothing (half a character).
  const decode = (value: Uint8Array | string): string | undefined => {
    let text: string
    if (typeof value === 'string') text = value
    else {
      try {
        text = decoder.decode(value, { stream: true })
      } catch (cause) {
        throw unreadable(`it delivered a chunk that is neither bytes nor a string (${describe(value)})`, cause)
      }
    }
    if (first && text.length > 0) {
      first = false
      // TextDecoder drops a BOM at the start of bytes; text sources may still carry one.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    return text.length > 0 ? text : undefined
  }

  const failed = (error: unknown): StreamError => {
    if (signal?.aborted) return abortError(signal)
    if (isAbortError(error)) return new StreamError('aborted', 'The stream was aborted', { cause: error })
    return new StreamError('network', `The stream failed: ${messageOf(error)}`, { cause: error })
  }

  return {
    // One async call per chunk: this is the read loop of every decode.
    async read() {
      if (finished) return undefined
      try {
        if (!started) await open()
        const chunks = reader as ChunkReader
        while (true) {
          let result: Awaited<ReturnType<ChunkReader['read']>>
          try {
            result = await chunks.read()
          } catch (error) {
            throw failed(error)
          }
          if (signal?.aborted) throw abortError(signal)
          if (typeof result !== 'object' || result === null) throw unreadable('its reader returned no iterator result')
          if (result.done) {
            finish(false)
            const rest = decoder.decode()
            return rest.length > 0 ? rest : undefined
          }
          if (result.value === undefined) continue
          const text = decode(result.value)
          if (text !== undefined) return text
        }
      } catch (error) {
        finish(true)
        throw error
      }
    },
    cancel() {
      if (!started) {
        started = true
        finished = true
        return
      }
      finish(true)
    },
  }
}

function openReader(source: ByteSource, signal?: AbortSignal): ChunkReader {
  if (isResponse(source)) {
    if (source.bodyUsed) throw unreadable('its body was already read')
    if (source.body === null) return { read: async () => ({ done: true }), cancel() {} }
    return streamReader(source.body)
  }
  if (isReadableStream(source)) return streamReader(source)
  if (typeof (source as Partial<AsyncIterable<unknown>>)?.[Symbol.asyncIterator] !== 'function') {
    throw unreadable(`it is not a Response, a ReadableStream or an async iterable (${describe(source)})`)
  }
  return iterableReader(source, signal)
}

function streamReader(stream: ReadableStream<Uint8Array>): ChunkReader {
  if (stream.locked) throw unreadable('it is locked by another reader')
  let reader: ReadableStreamDefaultReader<Uint8Array>
  try {
    reader = stream.getReader()
  } catch (cause) {
    throw unreadable(messageOf(cause), cause)
  }
  return {
    read: () => reader.read(),
    // Cancelling resolves a pending read() with done, which the loop turns into `aborted`.
    cancel: (reason) => void reader.cancel(reason).catch(() => {}),
  }
}

function iterableReader(iterable: AsyncIterable<Uint8Array | string>, signal?: AbortSignal): ChunkReader {
  let iterator: AsyncIterator<Uint8Array | string>
  try {
    iterator = iterable[Symbol.asyncIterator]()
  } catch (cause) {
    throw unreadable(messageOf(cause), cause)
  }
  if (typeof iterator?.next !== 'function') throw unreadable('its async iterator has no next()')
  let cancelled = false
  // A pending next() cannot be interrupted, so abort is raced against it.
  let abortPromise: Promise<never> | undefined
  if (signal) {
    abortPromise = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(abortError(signal)), { once: true })
    })
    abortPromise.catch(() => {})
  }
  return {
    read: () => (abortPromise ? Promise.race([iterator.next(), abortPromise]) : iterator.next()),
    cancel() {
      if (cancelled) return
      cancelled = true
      void Promise.resolve(iterator.return?.()).catch(() => {})
    },
  }
}

function cancelSource(source: ByteSource, reason: unknown): void {
  const stream = isResponse(source) ? source.body : isReadableStream(source) ? source : null
  if (stream && !stream.locked) void stream.cancel(reason).catch(() => {})
}

function unreadable(why: string, cause?: unknown): StreamError {
  return new StreamError('network', `The stream cannot be read: ${why}`, cause === undefined ? {} : { cause })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  return (value as object).constructor?.name ?? 'object'
}

export function abortError(signal: AbortSignal): StreamError {
  return new StreamError('aborted', 'The stream was aborted', { cause: signal.reason })
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isResponse(source: ByteSource): source is Response {
  // Duck-typed: a Response from another realm or fetch implementation is still a Response.
  const candidate = source as Partial<Response> | null | undefined
  if (typeof candidate !== 'object' || candidate === null) return false
  return typeof candidate.status === 'number' && typeof candidate.ok === 'boolean' && candidate.headers !== undefined
}

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream | null | undefined)?.getReader === 'function'
}
