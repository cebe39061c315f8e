import { execFileSync } from 'node:child_process'

const here = new URL('.', import.meta.url).pathname

function child(script: string, flags: string[], args: string[] = []): string {
  return execFileSync(
    process.execPath,
    [...flags, '--import', 'tsx', '--conditions=@rivulet/source', `${here}${script}`, ...args],
    {
      encoding: 'utf8',
      cwd: `${here}..`,
      maxBuffer: 1 << 20,
    },
  )
}

export interface AllocationResult {
  results: Record<string, number>
  wireBytesPerToken: number
}

export function allocationsPerToken(tokens: number): AllocationResult {
  const out = child(
    'alloc-child.ts',
    ['--expose-gc', '--min-semi-space-size=512', '--max-semi-space-size=512'],
    [String(tokens)],
  )
  return JSON.parse(out)
}

export interface SessionMemory {
  heldBytes: number
  textBytes: number
  warmHeap: number
  afterThousandMore: number
}

export function sessionMemory(): SessionMemory {
  return JSON.parse(child('memory-child.ts', ['--expose-gc', '--max-old-space-size=4096']))
}
