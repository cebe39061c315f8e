import { createEncoder, type Protocol } from '@rivulet/core'
import { scriptParts, streamResponse } from '@rivulet/msw'
import { type HttpHandler, http } from 'msw'

/** Where each contender's requests go: an OpenAI-compatible endpoint, and the AI SDK's default route. */
export const OPENAI_BASE_URL = '/mock/v1'
export const OPENAI_URL = `${OPENAI_BASE_URL}/chat/completions`
export const AI_SDK_URL = '/api/chat'

/**
 * Where in `protocol`'s wire body each token's event ends, in bytes: the body `streamBody`
 * writes for `{ text: tokens }` (same encoder, same parts), so counting bytes as they pass
 * tells when each token has fully arrived, however the chunks cut it.
 */
export function tokenEnds(protocol: Protocol, tokens: readonly string[]): { ends: number[]; total: number } {
  const encoder = createEncoder({ protocol })
  const utf8 = new TextEncoder()
  const ends: number[] = []
  let bytes = 0
  for (const part of scriptParts({ text: tokens })) {
    bytes += utf8.encode(encoder.push(part)).byteLength
    if (part.type === 'text-delta') ends.push(bytes)
  }
  bytes += utf8.encode(encoder.end()).byteLength
  return { ends, total: bytes }
}

/** How far the mock reads its source ahead of what the pace has released. */
const READ_AHEAD_BYTES = 16 * 1024

/**
 * Releases `source`'s bytes on the wall clock: token `k`'s bytes (and everything before them)
 * at `k / tokensPerSecond` seconds after the response starts, all at once when
 * `tokensPerSecond` is 0; whatever follows the last token (usage, finish) with it. A tick that
 * comes late releases every token due by then, as a socket hands over what piled up. Chunks
 * keep `source`'s cuts, and are also cut where a release ends. Notes in `arrivals` the moment
 * each token's last byte goes out.
 *
 * Why not the mock's own `tokensPerSecond`: it sleeps a `setTimeout` per token, and a browser
 * clamps a chain of timers to 4 ms each, so a page tops out near 250 tokens/s whatever is asked.
 */
function paced(
  source: ReadableStream<Uint8Array>,
  ends: readonly number[],
  tokensPerSecond: number,
  arrivals: Float64Array,
): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  const held: Uint8Array[] = []
  let received = 0
  let released = 0
  let next = 0
  let sourceDone = false
  let startedAt = Number.NaN
  let timer: ReturnType<typeof setTimeout> | undefined
  let finished = false
  // The mock runs on the page's main thread too: it reads ahead of the pace only so far, so its
  // own encoding is spread over the stream instead of landing in one long task at the start.
  let caughtUp: (() => void) | undefined

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const release = () => {
        if (finished) return
        const now = performance.now()
        if (Number.isNaN(startedAt)) startedAt = now
        const due =
          tokensPerSecond > 0
            ? Math.min(ends.length, Math.floor(((now - startedAt) * tokensPerSecond) / 1000) + 1)
            : ends.length
        const upTo = Math.min(received, due === ends.length ? Number.POSITIVE_INFINITY : (ends[due - 1] as number))
        while (released < upTo) {
          const chunk = held[0] as Uint8Array
          const take = Math.min(chunk.byteLength, upTo - released)
          if (take === chunk.byteLength) held.shift()
          else held[0] = chunk.subarray(take)
          controller.enqueue(take === chunk.byteLength ? chunk : chunk.subarray(0, take))
          released += take
        }
        while (next < ends.length && (ends[next] as number) <= released) arrivals[next++] = now
        if (received - released < READ_AHEAD_BYTES) {
          caughtUp?.()
          caughtUp = undefined
        }
        if (sourceDone && released === received) {
          finished = true
          controller.close()
        } else if (due < ends.length && timer === undefined) {
          const wait = startedAt + (due * 1000) / tokensPerSecond - performance.now()
          timer = setTimeout(
            () => {
              timer = undefined
              release()
            },
            Math.max(0, wait),
          )
        }
      }
      const pump = async () => {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) sourceDone = true
          else {
            held.push(value)
            received += value.byteLength
          }
          release()
          if (done) return
          while (received - released >= READ_AHEAD_BYTES && !finished) {
            await new Promise<void>((resolve) => (caughtUp = resolve))
          }
        }
      }
      pump().catch((error: unknown) => {
        finished = true
        clearTimeout(timer)
        controller.error(error)
      })
    },
    cancel(reason) {
      finished = true
      clearTimeout(timer)
      caughtUp?.()
      return reader.cancel(reason)
    },
  })
}

/**
 * The two endpoints, streaming the same tokens with the same chunking through `@rivulet/msw`'s
 * `streamResponse` (what `openaiChatHandler` and `aiSdkHandler` answer with), paced alike.
 */
export function benchHandlers(
  tokens: readonly string[],
  options: { tokensPerSecond: number; chunkBytes: [number, number] },
  arrivals: Float64Array,
): HttpHandler[] {
  const respond = (protocol: Protocol) => {
    const { ends } = tokenEnds(protocol, tokens)
    return ({ request }: { request: Request }) => {
      const response = streamResponse(
        protocol,
        { text: tokens },
        { timing: { chunkBytes: options.chunkBytes }, signal: request.signal },
      )
      const body = response.body && paced(response.body, ends, options.tokensPerSecond, arrivals)
      return new Response(body, { status: response.status, headers: response.headers })
    }
  }
  return [http.post(`*${OPENAI_URL}`, respond('openai-chat')), http.post(`*${AI_SDK_URL}`, respond('ai-sdk'))]
}
