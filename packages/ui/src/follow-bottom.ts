import { type RefObject, type UIEventHandler, useCallback, useEffect, useRef, useState } from 'react'

/** Within this distance of the bottom counts as at the bottom. */
export const FOLLOW_THRESHOLD_PX = 24

export interface FollowBottom {
  /** The scrolling element. */
  scrollerRef: RefObject<HTMLElement | null>
  /** The element inside it that grows with the content. */
  contentRef: RefObject<HTMLDivElement | null>
  onScroll: UIEventHandler<HTMLElement>
  following: boolean
  /** Follow again and jump to the bottom (after sending, say). */
  follow(): void
}

/** Scroll events further apart than this belong to separate gestures. */
const GESTURE_GAP_MS = 250

/**
 * Keeps a scroller at its bottom while the content grows, until the user scrolls up; scrolling
 * back to the bottom follows again. Growth is watched with a ResizeObserver, so text revealed
 * inside a child (without re-rendering the list) is followed too. A scroll that moved up is the
 * user's: our own scrolls only ever move down, so they never stop the following.
 *
 * A scroll down aims at the bottom as it was when the gesture began (the browser animates wheel
 * and keyboard scrolls towards a fixed target), and at 80 tokens/s the text grows past that
 * target before it is reached: what grew during the gesture counts as reached.
 */
export function useFollowBottom(): FollowBottom {
  const scrollerRef = useRef<HTMLElement>(null)
  const contentRef = useRef<HTMLDivElement>(null)
  const followingRef = useRef(true)
  const lastTop = useRef(0)
  const gesture = useRef({ at: Number.NEGATIVE_INFINITY, height: 0 })
  const [following, setFollowing] = useState(true)

  const setTo = useCallback((value: boolean) => {
    followingRef.current = value
    setFollowing(value)
  }, [])

  const toBottom = useCallback(() => {
    const scroller = scrollerRef.current
    if (!scroller) return
    scroller.scrollTop = scroller.scrollHeight
    lastTop.current = scroller.scrollTop
  }, [])

  const onScroll = useCallback<UIEventHandler<HTMLElement>>(
    (event) => {
      const scroller = event.currentTarget
      const top = scroller.scrollTop
      const time = event.timeStamp
      if (time - gesture.current.at > GESTURE_GAP_MS) gesture.current.height = scroller.scrollHeight
      gesture.current.at = time
      if (top < lastTop.current - 1 && followingRef.current) setTo(false)
      const down = top > lastTop.current
      const grown = down ? Math.max(0, scroller.scrollHeight - gesture.current.height) : 0
      const distance = scroller.scrollHeight - top - scroller.clientHeight
      if (distance <= FOLLOW_THRESHOLD_PX + grown && !followingRef.current) {
        setTo(true)
        toBottom()
      }
      lastTop.current = top
    },
    [setTo, toBottom],
  )

  useEffect(() => {
    const scroller = scrollerRef.current
    const content = contentRef.current
    if (!scroller || !content || typeof ResizeObserver !== 'function') return
    const observer = new ResizeObserver(() => {
      if (followingRef.current) toBottom()
    })
    observer.observe(content)
    observer.observe(scroller)
    return () => observer.disconnect()
  }, [toBottom])

  const follow = useCallback(() => {
    setTo(true)
    toBottom()
  }, [setTo, toBottom])

  return { scrollerRef, contentRef, onScroll, following, follow }
}
