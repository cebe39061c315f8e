import { vi } from 'vitest'

/** Stubs matchMedia so that `prefers-reduced-motion: reduce` matches (or not). */
export function stubReducedMotion(reduce: boolean): void {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: reduce && query.includes('prefers-reduced-motion: reduce'),
    media: query,
    onchange: null,
    addEventListener() {},
    removeEventListener() {},
    addListener() {},
    removeListener() {},
    dispatchEvent: () => false,
  }))
}

/** The text a StreamingMessage shows (without its screen-reader announcements). */
export function shownText(container: Element): string {
  return container.querySelector('[data-rivulet="message-content"]')?.textContent ?? ''
}

/** What the live region in `container` holds, one entry per announcement. */
export function announcements(container: Element): string[] {
  const region = container.querySelector('[data-rivulet="announcer"]')
  return Array.from(region?.children ?? [], (child) => child.textContent ?? '')
}
