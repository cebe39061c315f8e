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

/** Ids a client may give a stream: URL-safe, short, no surprises in logs or paths. */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

export function isSaneId(id: string | undefined | null): id is string {
  return typeof id === 'string' && SANE_ID.test(id)
}
