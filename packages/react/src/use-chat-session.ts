import { type ChatSession, type ChatSessionOptions, type ChatSnapshot, createChatSession } from '@rivulet/core'
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'

/**
 * The session behind a hook: created once, fed the latest options at each use (so new
 * options never recreate it), and aborted on unmount.
 */
export function useChatSession(options: ChatSessionOptions & { session?: ChatSession }): ChatSession {
  const latest = useRef(options)
  latest.current = options
  const [session] = useState(() => options.session ?? createChatSession(latestOptions(latest)))
  // Unmount stops the stream; the session's listeners are gone with useSyncExternalStore's.
  useEffect(() => () => session.abort(), [session])
  return session
}

/** Options read at the moment the session uses them, from whatever the component passed last. */
function latestOptions(latest: { current: ChatSessionOptions }): ChatSessionOptions {
  const read = <K extends keyof ChatSessionOptions>(key: K) => latest.current[key]
  return {
    get transport() {
      return read('transport')
    },
    get buffer() {
      return read('buffer')
    },
    get rateLimit() {
      return read('rateLimit')
    },
    get estimatedTokens() {
      return read('estimatedTokens')
    },
    get retry() {
      return read('retry')
    },
    get firstTokenTimeoutMs() {
      return read('firstTokenTimeoutMs')
    },
    get stallTimeoutMs() {
      return read('stallTimeoutMs')
    },
    get onFinish() {
      return read('onFinish')
    },
    get onError() {
      return read('onError')
    },
    // Read once, at creation: they shape the session itself.
    initialMessages: latest.current.initialMessages,
    scheduler: latest.current.scheduler,
    now: latest.current.now,
    random: latest.current.random,
    generateId: latest.current.generateId,
  }
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
