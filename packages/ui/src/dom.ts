import { type CSSProperties, type Ref, useSyncExternalStore } from 'react'

/** Hidden on screen, still read by screen readers; inline so it works without the stylesheet. */
export const VISUALLY_HIDDEN: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0, 0, 0, 0)',
  whiteSpace: 'nowrap',
  border: 0,
  // Never part of a selection the user copies.
  userSelect: 'none',
}

const REDUCED_MOTION = '(prefers-reduced-motion: reduce)'

function reducedMotionQuery(): MediaQueryList | undefined {
  // Guards for server rendering and for environments without matchMedia (jsdom, old WebViews).
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return undefined
  return window.matchMedia(REDUCED_MOTION)
}

function subscribeReducedMotion(onChange: () => void): () => void {
  const query = reducedMotionQuery()
  if (typeof query?.addEventListener !== 'function') return () => {}
  query.addEventListener('change', onChange)
  return () => query.removeEventListener('change', onChange)
}

const prefersReducedMotion = () => reducedMotionQuery()?.matches ?? false
const onServer = () => false

/** Whether the user asked for less motion; false on the server and where it cannot be known. */
export function usePrefersReducedMotion(): boolean {
  return useSyncExternalStore(subscribeReducedMotion, prefersReducedMotion, onServer)
}

/** performance.now() where it exists: the clock requestAnimationFrame times are on. */
export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now()
}

/** Hands `node` to a forwarded ref of either kind (a component that also keeps the node itself). */
export function setRef<T>(ref: Ref<T> | undefined, node: T | null): void {
  if (typeof ref === 'function') ref(node)
  else if (ref) ref.current = node
}
