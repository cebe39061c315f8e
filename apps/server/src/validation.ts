import { isStreamId } from '@rivulet/core'
import type { z } from 'zod'
import type { ApiError } from './errors.js'

/**
 * Validates with a schema and words the first problem as "field: what is wrong", the field
 * written as a path (`messages[2].content`) so the client knows exactly what to fix.
 */
export function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix = '',
): { ok: true; value: z.infer<T> } | { ok: false; error: ApiError } {
  const result = schema.safeParse(value, {
    error: (issue) => {
      if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required'
      if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}`
      return undefined
    },
  })
  if (result.success) return { ok: true, value: result.data }
  const issue = result.error.issues[0]
  const param = prefix + (issue ? fieldPath(issue.path) : '')
  const message = issue?.message ?? 'is invalid'
  return { ok: false, error: { status: 400, message: param ? `${param}: ${message}` : message, param } }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out
}

/** Ids a client may give a stream: URL-safe, short, no surprises in logs or paths (core's rule, for every transport). */
export const isSaneId: (id: unknown) => id is string = isStreamId

/**
 * How deep a request's JSON may nest. Real requests stay under ten levels; past this, code that
 * walks the value (content blocks inside tool results, `JSON.stringify` when relaying) would
 * recurse deep enough to overflow the stack.
 */
export const MAX_JSON_DEPTH = 64

/** Whether a parsed JSON value nests deeper than `maxDepth`, found without recursion. */
export function nestsDeeperThan(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number }
    if (typeof current !== 'object' || current === null) continue
    if (depth >= maxDepth) return true
    const children = Array.isArray(current) ? current : Object.values(current)
    for (const child of children)
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 })
  }
  return false
}

/** The 400 for a value that nests too deeply. */
export function tooDeep(where: string): ApiError {
  return { status: 400, message: `${where}: nests deeper than ${MAX_JSON_DEPTH} levels`, code: 'too_deeply_nested' }
}
