/**
 * Memory of a chat session: heap held by a 1,000,000-token answer, and heap growth across
 * 1,000 send/abort/reset cycles (after 1,000 warm-up cycles). Run by memory.bench.ts with --expose-gc.
 */
import { getHeapStatistics } from 'node:v8'
import { createChatSession, type StreamPart, type Transport } from '@rivulet/core'

declare const gc: () => void
const heap = () => {
  gc()
  gc()
  return getHeapStatistics().used_heap_size
}
const immediate: Parameters<typeof createChatSession>[0]['scheduler'] = (flush) => {
  const id = setImmediate(flush)
  return () => clearImmediate(id)
}

const TOKENS = 1_000_000
// 1,000 cycles warm the engine (compiled code, inline caches); the next 1,000 are measured.
const CYCLES = 2000
const piece = ' token'
const answer: Transport = async function* () {
  yield { type: 'start' } satisfies StreamPart
  for (let i = 0; i < TOKENS; i++) yield { type: 'text-delta', text: piece }
  yield { type: 'finish', reason: 'stop' }
}

const base = heap()
let session: ReturnType<typeof createChatSession> | undefined = createChatSession({
  transport: answer,
  scheduler: immediate,
})
await session.send('Long answer, please')
const held = heap() - base
const textBytes = session.getSnapshot().messages.at(-1)?.content.length ?? 0 // one-byte string: 1 byte a character
session = undefined

// Each cycle: send, let a few tokens arrive, abort, reset.
const endless: Transport = async function* ({ signal }) {
  while (!signal.aborted) {
    yield { type: 'text-delta', text: piece } satisfies StreamPart
    await new Promise((resolve) => setImmediate(resolve))
  }
}
const cycling = createChatSession({ transport: endless, scheduler: immediate })
const samples: number[] = []
for (let cycle = 1; cycle <= CYCLES; cycle++) {
  const sent = cycling.send('again')
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  cycling.abort()
  await sent
  cycling.reset()
  if (cycle === 1000 || cycle === CYCLES) samples.push(heap())
}
process.stdout.write(
  JSON.stringify({ heldBytes: held, textBytes, warmHeap: samples[0], afterThousandMore: samples[1] }),
)
