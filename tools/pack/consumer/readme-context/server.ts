// What the server quick start leaves to the reader: the stream's id, the reader's last event id
// and a follower that collects what it is given (read by the README check). Exported, as the
// quick start appended below is what uses them.
import type { StoredEvent } from '@rivulet/server'

export const id = 'chat-1'
export const lastEventId = 0
export const followed: { events: StoredEvent[]; ended: boolean; errors: Error[] } = {
  events: [],
  ended: false,
  errors: [],
}
export const event = (stored: StoredEvent) => followed.events.push(stored) > 0
export const end = () => {
  followed.ended = true
}
export const error = (failure: Error) => {
  followed.errors.push(failure)
}
