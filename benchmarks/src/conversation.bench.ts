import { execFileSync } from 'node:child_process'

const here = new URL('.', import.meta.url).pathname

export interface ConversationResult {
  heap: Array<{ steps: number; heldBytes: number; textBytes: number; requests: number }>
  stream: Array<{
    kb: number
    bytes: number
    deltas: number
    fastestMs: number
    medianMs: number
    noFlushFastestMs: number
  }>
}

/** Runs conversation-child.ts in a child process with --expose-gc. */
export function conversationBenchmarks(rounds: number): ConversationResult {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--conditions=@rivulet/source', `${here}conversation-child.ts`, String(rounds)],
    { encoding: 'utf8', cwd: `${here}..`, maxBuffer: 1 << 20 },
  )
  return JSON.parse(out)
}
