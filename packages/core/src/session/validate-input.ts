/**
 * A small JSON Schema check of a tool call's arguments, so a model's mistake comes back to it
 * as a readable error instead of reaching `execute`. It checks `type` (one or a list:
 * object, array, string, number, integer, boolean, null), `enum`, `const`, `required`,
 * `properties` and `items`, recursively; every other keyword is not checked. Apps that need
 * full validation validate in `execute` (a throw becomes an error result too).
 */

/** The first problem found in `value` against `schema`, in words; `undefined` when none. */
export function validateInput(schema: unknown, value: unknown): string | undefined {
  return check(schema, value, '')
}

function check(schema: unknown, value: unknown, path: string): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined
  const s = schema as Record<string, unknown>
  const where = path === '' ? 'the input' : `\`${path}\``
  const type = s.type
  if (typeof type === 'string' || Array.isArray(type)) {
    const types = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string')
    if (types.length > 0 && !types.some((t) => isType(value, t))) {
      return `${where} must be ${types.map(article).join(' or ')}, not ${describe(value)}`
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((option) => sameJSON(option, value))) {
    return `${where} must be one of ${s.enum.map((option) => JSON.stringify(option)).join(', ')}`
  }
  if ('const' in s && !sameJSON(s.const, value)) return `${where} must be ${JSON.stringify(s.const)}`
  if (isPlainObject(value)) {
    if (Array.isArray(s.required)) {
      for (const key of s.required) {
        if (typeof key === 'string' && !Object.hasOwn(value, key)) return `\`${join(path, key)}\` is required`
      }
    }
    if (isPlainObject(s.properties)) {
      for (const key of Object.keys(s.properties)) {
        if (!Object.hasOwn(value, key)) continue
        const problem = check(s.properties[key], value[key], join(path, key))
        if (problem) return problem
      }
    }
  }
  if (Array.isArray(value) && isPlainObject(s.items)) {
    for (let i = 0; i < value.length; i++) {
      const problem = check(s.items, value[i], `${path}[${i}]`)
      if (problem) return problem
    }
  }
  return undefined
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value)
    case 'array':
      return Array.isArray(value)
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'null':
      return value === null
    default:
      return true // a type this check does not know is not held against the input
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'missing'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `${typeof value === 'string' ? 'the string' : typeof value} ${JSON.stringify(value)}`
}

function article(type: string): string {
  return type === 'null' ? 'null' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}
