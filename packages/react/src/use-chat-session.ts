import { type ChatSession, type ChatSessionOptions, type ChatSnapshot, createChatSession } from '@rivulet/core'
import { useEffect, useRef, useSyncExternalStore } from 'react'

/** A hook's session: its own, from options, or a shared one (`{ session }`) it only reads. */
export type ChatSessionSource = (ChatSessionOptions & { session?: ChatSession }) | { session: ChatSession }

/**
 * The session behind a hook. With `{ session }` it is that shared session, used as it is and
 * never aborted here. Otherwise the hook creates one, gives it the latest options at each render
 * through `session.setOptions` (so new options never recreate it), and aborts it on unmount.
 */
export function useChatSession(source: ChatSessionSource): ChatSession {
  const shared = source.session
  const owned = useRef<ChatSession | undefined>(undefined)
  if (shared === undefined) {
    const options = source as ChatSessionOptions
    if (owned.current === undefined) owned.current = createChatSession(options)
    else owned.current.setOptions(options)
  }
  const own = owned.current
  // Unmount stops the stream of a session this hook created; a shared one goes on for its other readers.
  useEffect(() => (own ? () => own.abort() : undefined), [own])
  return shared ?? (own as ChatSession)
}

/** The whole snapshot of a session, re-rendering on every (frame-batched) change. */
export function useChatSnapshot(session: ChatSession): ChatSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot)
}

/**
 * A slice of a session's state: the component re-renders only when the slice changes
 * (by `isEqual`, default `Object.is`), not on every token.
 *
 * @example
 * const status = useChatSelector(session, (s) => s.status)
 * const last = useChatSelector(session, (s) => s.messages.at(-1))
 */
export function useChatSelector<T>(
  session: ChatSession,
  selector: (snapshot: ChatSnapshot) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const cache = useRef<{ snapshot: ChatSnapshot; value: T } | undefined>(undefined)
  const select = () => {
    const snapshot = session.getSnapshot()
    const cached = cache.current
    if (cached?.snapshot === snapshot) return cached.value
    const value = selector(snapshot)
    // Keep the old value when equal, so useSyncExternalStore sees no change.
    const stable = cached !== undefined && isEqual(cached.value, value) ? cached.value : value
    cache.current = { snapshot, value: stable }
    return stable
  }
  return useSyncExternalStore(session.subscribe, select, select)
}
