/**
 * An incremental JSON parser for tool-call arguments as they stream: each `push` costs time in
 * the length of the delta, never a re-parse of what came before, and it never throws. `value`
 * is the partial parse so far: open objects and arrays hold what has arrived, an unfinished
 * string shows its text so far, an unfinished number or literal is left out until it ends.
 *
 * Containers are built in place, so `value` is the same object as it grows; copy it where an
 * immutable snapshot is needed. Input that is not JSON stops the parse (`failed`), keeping the
 * value as it stood.
 *
 * @example
 * const args = new PartialJSON()
 * args.push('{"city":"Par')
 * args.value // { city: 'Par' }
 */
export class PartialJSON {
  /** The partial parse so far; `undefined` until a value has started. */
  value: unknown = undefined
  /** True once the input could not be JSON; later pushes are ignored. */
  failed = false
  /** True once a complete top-level value has been read. */
  done = false

  private readonly stack: Frame[] = []
  /** Containers whose closing bracket came: never written again, so a snapshot may share them. */
  private readonly closed = new WeakSet<object>()
  private state: State = 'value'
  /** The string or key being read, in pieces, and where it goes. */
  private text = ''
  private escape: '' | '\\' | string = ''
  private scalar = ''

  push(delta: string): void {
    if (this.failed) return
    for (let i = 0; i < delta.length; i++) {
      if (!this.step(delta.charCodeAt(i), delta, i)) {
        this.failed = true
        return
      }
      // A string's plain run is taken in one slice, so long strings cost one append per delta.
      if (this.state === 'string' && this.escape === '') {
        let end = i + 1
        while (end < delta.length) {
          const code = delta.charCodeAt(end)
          if (code === QUOTE || code === BACKSLASH || code < 0x20) break
          end++
        }
        if (end > i + 1) {
          this.text += delta.slice(i + 1, end)
          i = end - 1
        }
        this.showString()
      }
    }
  }

  /**
   * A copy of `value` that later pushes leave alone. Containers already closed are shared, not
   * copied, since nothing writes to them again: only the open containers (the path to the
   * growing end) are copied, so a snapshot costs their width, not the size of the whole value.
   */
  snapshot(): unknown {
    return this.copyOpen(this.value)
  }

  private copyOpen(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || this.closed.has(value)) return value
    if (Array.isArray(value)) return value.map((item) => this.copyOpen(item))
    const copy: Record<string, unknown> = {}
    for (const key of Object.keys(value)) setOwn(copy, key, this.copyOpen((value as Record<string, unknown>)[key]))
    return copy
  }

  /** The input ended: a number or literal at the very end is complete now. */
  end(): void {
    if (this.failed || this.state !== 'scalar') return
    if (!this.endScalar()) this.failed = true
  }

  private step(code: number, delta: string, i: number): boolean {
    switch (this.state) {
      case 'string':
        return this.stringChar(code, delta, i)
      case 'scalar':
        if (isScalarChar(code)) {
          this.scalar += delta[i]
          return true
        }
        if (!this.endScalar()) return false
        return this.step(code, delta, i)
      default:
        if (isSpace(code)) return true
        return this.structural(code, delta, i)
    }
  }

  private structural(code: number, delta: string, i: number): boolean {
    const frame = this.stack[this.stack.length - 1]
    switch (this.state) {
      case 'value':
        if (code === QUOTE) return this.startString(false)
        if (code === OPEN_BRACE) return this.open({ kind: 'object', value: {}, key: undefined })
        if (code === OPEN_BRACKET) return this.open({ kind: 'array', value: [], key: undefined })
        if (code === CLOSE_BRACKET && frame?.kind === 'array' && (frame.value as unknown[]).length === 0) {
          return this.close()
        }
        if (isScalarStart(code)) {
          this.state = 'scalar'
          this.scalar = delta[i] as string
          return true
        }
        return false
      case 'key':
        if (code === QUOTE) return this.startString(true)
        if (code === CLOSE_BRACE && frame !== undefined && Object.keys(frame.value as object).length === 0) {
          return this.close()
        }
        return false
      case 'colon':
        if (code !== COLON) return false
        this.state = 'value'
        return true
      case 'after':
        if (frame === undefined) return false // anything after a complete top-level value
        if (code === COMMA) {
          this.state = frame.kind === 'object' ? 'key' : 'value'
          return true
        }
        if (code === (frame.kind === 'object' ? CLOSE_BRACE : CLOSE_BRACKET)) return this.close()
        return false
    }
    return false
  }

  private open(frame: Frame): boolean {
    if (this.stack.length >= MAX_DEPTH) return false
    this.place(frame.value)
    this.stack.push(frame)
    this.slotOpen = false
    this.state = frame.kind === 'object' ? 'key' : 'value'
    return true
  }

  private close(): boolean {
    const frame = this.stack.pop() as Frame
    this.closed.add(frame.value)
    this.finishValue()
    return true
  }

  private startString(isKey: boolean): boolean {
    this.state = 'string'
    this.text = ''
    this.escape = ''
    this.stringIsKey = isKey
    if (!isKey) this.showString()
    return true
  }

  private stringIsKey = false

  private stringChar(code: number, delta: string, i: number): boolean {
    if (this.escape === '\\') {
      const simple = ESCAPES[delta[i] as string]
      if (simple !== undefined) {
        this.text += simple
        this.escape = ''
      } else if (code === 0x75 /* u */) this.escape = 'u'
      else return false
      if (!this.stringIsKey) this.showString()
      return true
    }
    if (this.escape !== '') {
      // \uXXXX: four hex digits.
      if (!isHex(code)) return false
      this.escape += delta[i]
      if (this.escape.length === 5) {
        this.text += String.fromCharCode(Number.parseInt(this.escape.slice(1), 16))
        this.escape = ''
        if (!this.stringIsKey) this.showString()
      }
      return true
    }
    if (code === BACKSLASH) {
      this.escape = '\\'
      return true
    }
    if (code === QUOTE) {
      if (this.stringIsKey) {
        const frame = this.stack[this.stack.length - 1] as Frame
        frame.key = this.text
        this.state = 'colon'
      } else {
        this.showString()
        this.finishValue()
      }
      this.text = ''
      return true
    }
    if (code < 0x20) return false
    this.text += delta[i]
    return true
  }

  /** Puts the string read so far where it belongs, so a growing string shows as it grows. */
  private showString(): void {
    if (!this.stringIsKey) this.place(this.text)
  }

  private endScalar(): boolean {
    const text = this.scalar
    this.scalar = ''
    let value: unknown
    if (text === 'true') value = true
    else if (text === 'false') value = false
    else if (text === 'null') value = null
    else if (NUMBER.test(text)) value = Number(text)
    else return false
    this.place(value)
    this.finishValue()
    return true
  }

  /** Sets `value` as the current slot's value: the root, the open key, or the array's next item. */
  private place(value: unknown): void {
    const frame = this.stack[this.stack.length - 1]
    if (frame === undefined) this.value = value
    else if (frame.kind === 'array') {
      const array = frame.value as unknown[]
      if (this.slotOpen) array[array.length - 1] = value
      else array.push(value)
    } else setOwn(frame.value as Record<string, unknown>, frame.key as string, value)
    this.slotOpen = true
  }

  /** Whether the current array slot already holds the value being read (a growing string). */
  private slotOpen = false

  private finishValue(): void {
    this.slotOpen = false
    this.state = 'after'
    if (this.stack.length === 0) this.done = true
  }
}

type State = 'value' | 'key' | 'colon' | 'after' | 'string' | 'scalar'
interface Frame {
  kind: 'object' | 'array'
  value: Record<string, unknown> | unknown[]
  key: string | undefined
}

/** Deeper input stops the parse: the value is for showing, and no real arguments nest this far. */
const MAX_DEPTH = 512
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const COMMA = 0x2c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const ESCAPES: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
})

/** As `JSON.parse` does: `__proto__` becomes an own property, never the prototype. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  else object[key] = value
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09
}
function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66)
}
function isScalarStart(code: number): boolean {
  return code === 0x2d || (code >= 0x30 && code <= 0x39) || code === 0x74 || code === 0x66 || code === 0x6e
}
function isScalarChar(code: number): boolean {
  return isScalarStart(code) || code === 0x2e || code === 0x2b || (code >= 0x61 && code <= 0x7a) || code === 0x45
}
