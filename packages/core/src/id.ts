let counter = 0

/** A unique id: a UUID where `crypto.randomUUID` exists, else time, counter and randomness. */
export function randomId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2)}`
  )
}
