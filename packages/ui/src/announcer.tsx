import { createContext, memo, useSyncExternalStore } from 'react'
import { VISUALLY_HIDDEN } from './dom.js'

/** What one message has to say: each finished sentence once, then how it ended. */
export interface Announcement {
  sentences: readonly string[]
  ending?: string
}

/**
 * The announcements of the messages inside a chat, shown by one live region outside every
 * message. Inside a message, the visually hidden copy of its sentences would be selected and
 * copied with it, and read a second time by screen readers that browse the page.
 *
 * Only the latest message speaking is kept: what older ones said was announced already, and
 * keeping it would leave a second copy of every answer in the page.
 */
export class AnnouncerStore {
  private current: { key: string; announcement: Announcement } | undefined
  private readonly listeners = new Set<() => void>()

  /** Sets what the message `key` says (`undefined` when it unmounts). */
  set(key: string, announcement: Announcement | undefined): void {
    if (announcement === undefined) {
      if (this.current?.key !== key) return
      this.current = undefined
    } else {
      this.current = { key, announcement }
    }
    for (const listener of this.listeners) listener()
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): Announcement | undefined => this.current?.announcement
}

/** Given by a chat: its messages announce through its live region instead of their own. */
export const AnnouncerContext = createContext<AnnouncerStore | null>(null)

const nothing = () => undefined

/** The chat's live region: one, after the messages, holding what the latest message said. */
export function ChatLiveRegion({ store }: { store: AnnouncerStore }) {
  const announcement = useSyncExternalStore(store.subscribe, store.getSnapshot, nothing)
  return <LiveRegion sentences={announcement?.sentences ?? NONE} ending={announcement?.ending} />
}

const NONE: readonly string[] = []

/** The polite live region: each finished sentence appended once, then the ending. */
export const LiveRegion = memo(function LiveRegion({ sentences, ending }: Announcement) {
  return (
    <div data-rivulet="announcer" aria-live="polite" aria-atomic="false" style={VISUALLY_HIDDEN}>
      {sentences.map((sentence, index) => (
        // Sentences are only ever appended: the index is a stable key.
        // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
        <p key={index}>{sentence}</p>
      ))}
      {ending && <p>{ending}</p>}
    </div>
  )
})
