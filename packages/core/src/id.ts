const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/**
 * A random UUID v4 (122 random bits). Stream ids are capabilities — whoever knows one can resume
 * or cancel that stream — so the randomness always comes from the platform's CSPRNG.
 * `crypto.randomUUID` exists only in secure contexts (a page on plain HTTP at a LAN address has
 * none); `crypto.getRandomValues` exists in every browser context, worker and Node 20+, so it
 * builds the same UUID there. Without either, this throws rather than hand out a guessable id.
 *
 * @example
 * randomId() // '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function randomId(): string {
  const crypto = globalThis.crypto
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID()
  if (typeof crypto?.getRandomValues !== 'function')
    throw new Error('randomId: no crypto.getRandomValues in this environment; install a Web Crypto polyfill')
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  // RFC 9562 §5.4: version 4 in the high nibble of byte 6, variant 0b10 in the top bits of byte 8.
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  let id = ''
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += '-'
    id += HEX[bytes[i] as number]
  }
  return id
}
