import { useEffect, useRef, useState } from 'react'
import { now } from './dom.js'
import { RevealClock, type RevealOptions } from './reveal.js'

/**
 * How much of `text` to show: typed out by a RevealClock while `animate`, all of it otherwise.
 * One state update per animation frame at most, and none once caught up; text present at
 * mount counts as already shown (it is not typed again).
 */
export function useRevealedLength(text: string, animate: boolean, options?: RevealOptions): number {
  const [clock] = useState(() => new RevealClock(options, text))
  const [shown, setShown] = useState(text.length)
  const committed = useRef(shown)
  // Not animating: all is shown. Kept in step during render (no extra commit), so turning
  // animation on later never shows less than before.
  if (!animate && shown !== text.length) setShown(text.length)

  useEffect(() => {
    clock.arrive(text, now())
    if (!animate || typeof requestAnimationFrame !== 'function') {
      committed.current = clock.finish()
      return
    }
    const show = (length: number) => {
      if (length === committed.current) return
      committed.current = length
      setShown(length)
    }
    show(clock.revealed) // a new text that does not continue the old one starts over
    let frame = 0
    const onFrame = (time: number) => {
      show(clock.tick(time))
      frame = clock.caughtUp ? 0 : requestAnimationFrame(onFrame)
    }
    if (!clock.caughtUp) frame = requestAnimationFrame(onFrame)
    return () => cancelAnimationFrame(frame)
  }, [text, animate, clock])

  return animate ? Math.min(shown, text.length) : text.length
}
