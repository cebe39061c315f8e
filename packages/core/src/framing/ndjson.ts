import { excerpt, StreamError } from '../errors.js'
import type { ByteSource } from '../types.js'
import { readText } from './source.js'

export interface NDJSONOptions {
  signal?: AbortSignal
  /** Longest line, in characters; past it, kind `limit`. Default 8 MiB. */
  maxLineSize?: number
}

const DEFAULT_MAX_LINE_SIZE = 8 * 1024 * 1024

/**
 * A synchronous line framer for newline-delimited JSON: text in, non-blank lines out.
 * The limit is checked per line as it is read, so the same bytes trip it whatever the chunking.
 */
export interface LineFramer {
  feed(text: string): void
  /** End of stream: a last line without a newline still counts. */
  end(): void
}

/**
 * Called per non-blank line. `terminated` is false for a last line that ended with the stream,
 * not a newline. Returning true stops the framer: no later line is read (or can fail the stream).
 */
export type LineHandler = (line: string, lineNumber: number, terminated: boolean) => boolean | undefined

export function createLineFramer(onLine: LineHandler, options: NDJSONOptions = {}): LineFramer {
  const maxLineSize = options.maxLineSize ?? DEFAULT_MAX_LINE_SIZE
  // Fragments of the current line; joined once when its newline arrives, never re-scanned.
  const pending: string[] = []
  let pendingSize = 0
  let lineNumber = 0
  let stopped = false

  const emit = (line: string, terminated = true) => {
    lineNumber++
    if (line.length > maxLineSize) throw lineLimit(maxLineSize, lineNumber)
    // CRLF is tolerated: the CR is the last character of the line.
    const end = line.charCodeAt(line.length - 1) === 13 ? line.length - 1 : line.length
    const trimmed = end === line.length ? line : line.slice(0, end)
    if (trimmed.trim() !== '' && onLine(trimmed, lineNumber, terminated)) stopped = true
  }

  return {
    feed(text) {
      if (stopped) return
      let start = 0
      let newline = text.indexOf('\n')
      if (newline !== -1 && pending.length > 0) {
        pending.push(text.slice(0, newline))
        const line = pending.join('')
        pending.length = 0
        pendingSize = 0
        emit(line)
        if (stopped) return
        start = newline + 1
        newline = text.indexOf('\n', start)
      }
      while (newline !== -1) {
        if (newline - start > maxLineSize) throw lineLimit(maxLineSize, lineNumber + 1)
        emit(text.slice(start, newline))
        if (stopped) return
        start = newline + 1
        newline = text.indexOf('\n', start)
      }
      if (start < text.length) {
        pendingSize += text.length - start
        if (pendingSize > maxLineSize) throw lineLimit(maxLineSize, lineNumber + 1)
        pending.push(start === 0 ? text : text.slice(start))
      }
    },
    end() {
      if (stopped || pending.length === 0) return
      const line = pending.join('')
      pending.length = 0
      pendingSize = 0
      emit(line, false)
    },
  }
}

function lineLimit(max: number, lineNumber: number): StreamError {
  return new StreamError('limit', `NDJSON line ${lineNumber} exceeded ${max} characters`)
}

/** Parses one NDJSON line, or throws kind `parse` naming the line and a short excerpt. */
export function parseJSONLine(line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line)
  } catch (cause) {
    throw new StreamError('parse', `Invalid JSON on line ${lineNumber}: ${excerpt(line)}`, { cause })
  }
}

/**
 * Reads newline-delimited JSON values from a byte stream.
 *
 * @example
 * for await (const value of readNDJSON(await fetch('http://localhost:11434/api/chat', init))) console.log(value)
 */
export async function* readNDJSON(
  source: ByteSource,
  options: NDJSONOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const queue: unknown[] = []
  const framer = createLineFramer((line, lineNumber) => {
    queue.push(parseJSONLine(line, lineNumber))
    return false
  }, options)
  try {
    for await (const text of readText(source, options.signal)) {
      framer.feed(text)
      for (let i = 0; i < queue.length; i++) yield queue[i]
      queue.length = 0
    }
    framer.end()
  } catch (error) {
    // The values that arrived before the error still go out first.
    yield* queue
    throw error
  }
  yield* queue
}
