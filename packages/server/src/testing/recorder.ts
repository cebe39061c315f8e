/** Test helper: a follower that records what a stream delivers. */
import type { Follower, StoredEvent } from '../log.js'

/** A follower that records what it gets; `pauseAfter` makes it pause once, when it has that many. */
export function recorder(pauseAfter = Number.POSITIVE_INFINITY) {
  const got = { events: [] as StoredEvent[], ended: false, error: undefined as Error | undefined }
  const follower: Follower = {
    event: (event) => {
      got.events.push(event)
      return got.events.length !== pauseAfter
    },
    end: () => {
      got.ended = true
    },
    error: (error) => {
      got.error = error
    },
  }
  return { got, follower }
}

/** The data of each event. */
export const data = (events: StoredEvent[]) => events.map((event) => event.data)
