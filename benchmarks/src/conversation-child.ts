/**
 * A chat session with tools, through core's public API and a scripted in-process transport:
 * (a) heap held after GC by tool conversations of 50, 100, 150 and 200 steps (each step: some
 * text, one tool call run by `execute`, finish `tool-calls`; then one closing step), against the
 * text they hold; (b) CPU time to stream 25, 50, 100 and 200 KB of one call's arguments as
 * `tool-call-delta`s of 10 bytes, the fastest of a few rounds. Run by conversation.bench.ts with
 * --expose-gc; prints JSON.
 */
import { getHeapStatistics } from 'node:v8'
import { createChatSession, type StreamPart, syncScheduler, type Transport } from '@rivulet/core'

declare const gc: () => void
const heap = () => {
  gc()
  gc()
  return getHeapStatistics().used_heap_size
}

// Each step's text: 40 deltas of 100 characters (4,000 characters).
const STEP_DELTA =
  'Looking that up in the catalogue before answering; one moment, please, this takes a little while. '.padEnd(100, '.')
const STEP_DELTAS = 40
const STEPS = [50, 100, 150, 200]

/** A transport that answers `steps` tool steps, then a closing text step. */
function toolConversation(steps: number): Transport {
  let step = 0
  return async function* () {
    const n = step++
    yield { type: 'start' } satisfies StreamPart
    if (n < steps) {
      for (let i = 0; i < STEP_DELTAS; i++) yield { type: 'text-delta', text: STEP_DELTA }
      const args = { query: `item ${n}`, page: n }
      yield { type: 'tool-call-delta', index: 0, id: `call-${n}`, name: 'lookup', argsDelta: JSON.stringify(args) }
      yield { type: 'tool-call', index: 0, id: `call-${n}`, name: 'lookup', args }
      yield { type: 'finish', reason: 'tool-calls' }
    } else {
      yield { type: 'text-delta', text: 'Done.' }
      yield { type: 'finish', reason: 'stop' }
    }
  }
}

const tools = {
  lookup: {
    inputSchema: { type: 'object' },
    execute: (input: unknown) => ({ found: true, input }),
  },
}

async function conversationHeap() {
  const rows: Array<{ steps: number; heldBytes: number; textBytes: number; requests: number }> = []
  // A warm-up conversation compiles the code paths first.
  {
    const warm = createChatSession({ transport: toolConversation(200), scheduler: syncScheduler, tools, maxSteps: 201 })
    await warm.send('warm up')
  }
  for (const steps of STEPS) {
    const samples: Array<{ heldBytes: number; textBytes: number; requests: number }> = []
    for (let repeat = 0; repeat < 3; repeat++) samples.push(await heldBy(steps))
    samples.sort((a, b) => a.heldBytes - b.heldBytes)
    const median = samples[1]
    if (median) rows.push({ steps, ...median })
  }
  return rows
}

/**
 * The heap a finished conversation holds: heap after GC with the session alive, less heap after
 * GC once it is dropped (so garbage left by earlier runs does not count either way).
 */
async function heldBy(steps: number) {
  let requests = 0
  const inner = toolConversation(steps)
  const transport: Transport = (request) => {
    requests++
    return inner(request)
  }
  let session: ReturnType<typeof createChatSession> | undefined = createChatSession({
    transport,
    scheduler: syncScheduler,
    tools,
    maxSteps: 201,
  })
  await session.send('Look up every item, please')
  // Nothing of the snapshot stays in a local: an async function's frame would keep it alive.
  const status = session.getSnapshot().status
  const textBytes = session.getSnapshot().messages.at(-1)?.content.length ?? 0 // one-byte string: 1 byte a character
  if (status !== 'done' || requests !== steps + 1) throw new Error(`${steps} steps: ${status}, ${requests} requests`)
  await new Promise((resolve) => setImmediate(resolve))
  const alive = heap()
  session = undefined
  await new Promise((resolve) => setImmediate(resolve))
  return { heldBytes: alive - heap(), textBytes, requests }
}

/** JSON arguments of about `bytes` bytes: an array of small records. */
function argumentsText(bytes: number): string {
  const items: string[] = []
  let length = 2
  for (let i = 0; length < bytes - 12; i++) {
    const item = JSON.stringify({ id: i, name: `row number ${i}`, tags: ['a', 'b'], ok: i % 2 === 0 })
    items.push(item)
    length += item.length + 1
  }
  return `{"rows":[${items.join(',')}]}`
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/** Never flushes mid-stream: the builder and PartialJSON alone, with no snapshot per delta. */
const noFlush = () => () => {}

async function streamArguments(kb: number, rounds: number) {
  const text = argumentsText(kb * 1024)
  const deltas: string[] = []
  for (let i = 0; i < text.length; i += 10) deltas.push(text.slice(i, i + 10))
  const args = JSON.parse(text)
  const transport: Transport = async function* () {
    yield { type: 'start' } satisfies StreamPart
    yield { type: 'tool-call-delta', index: 0, id: 'big', name: 'save', argsDelta: '' }
    for (const argsDelta of deltas) yield { type: 'tool-call-delta', index: 0, argsDelta }
    yield { type: 'tool-call', index: 0, id: 'big', name: 'save', args }
    yield { type: 'finish', reason: 'tool-calls' }
  }
  const times: number[] = []
  for (let round = 0; round < rounds; round++) {
    // No `execute`: the call is the app's to answer, so the answer rests once the arguments are in.
    const session = createChatSession({ transport, scheduler: syncScheduler, maxSteps: 201 })
    let notified = 0
    session.subscribe(() => notified++)
    const start = cpuMs()
    await session.send('Save these rows')
    times.push(cpuMs() - start)
    const part = session
      .getSnapshot()
      .messages.at(-1)
      ?.parts.find((p) => p.type === 'tool')
    if (!part || JSON.stringify((part as { input?: unknown }).input) !== text)
      throw new Error(`${kb} KB: arguments did not arrive whole`)
    if (notified < deltas.length / 2) throw new Error(`${kb} KB: only ${notified} notifications`)
  }
  times.sort((a, b) => a - b)
  const unflushed: number[] = []
  for (let round = 0; round < rounds; round++) {
    const session = createChatSession({ transport, scheduler: noFlush, maxSteps: 201 })
    const start = cpuMs()
    await session.send('Save these rows')
    unflushed.push(cpuMs() - start)
  }
  return {
    noFlushFastestMs: Math.min(...unflushed),
    kb,
    bytes: text.length,
    deltas: deltas.length,
    fastestMs: times[0] ?? 0,
    medianMs: times[times.length >> 1] ?? 0,
  }
}

const rounds = Number(process.argv[2] ?? 5)
const only = process.argv[3]
const heapRows = only === 'stream' ? [] : await conversationHeap()
const streamRows = []
if (only !== 'heap') {
  await streamArguments(25, 2) // warm-up
  for (const kb of [25, 50, 100, 200]) streamRows.push(await streamArguments(kb, rounds))
}
process.stdout.write(JSON.stringify({ heap: heapRows, stream: streamRows }))
