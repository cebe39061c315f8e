import { forwardRef, type HTMLAttributes, type KeyboardEvent, type ReactNode } from 'react'
import { useChatConfig, useChatState } from './chat-context.js'
import { setRef } from './dom.js'
import { ChatMessageView } from './message.js'

export interface ChatMessagesProps extends Omit<HTMLAttributes<HTMLElement>, 'children'> {
  /** After the messages, inside the scroller (a `JumpToLatest`, say). */
  children?: ReactNode
}

const EDITABLE = 'input, textarea, select, [contenteditable]'

/**
 * The scrolling list of messages (system messages are not shown). It follows the newest text
 * until the reader scrolls up; scrolling back to the bottom, End, or `JumpToLatest` follows again.
 */
export const ChatMessages = forwardRef<HTMLElement, ChatMessagesProps>(function ChatMessages(
  { children, onKeyDown, ...rest },
  ref,
) {
  const { labels } = useChatConfig('ChatMessages')
  const { chat, scroll } = useChatState('ChatMessages')
  const messages = chat.messages.filter((message) => message.role !== 'system')
  const last = messages.at(-1)
  const onKey = (event: KeyboardEvent<HTMLElement>) => {
    onKeyDown?.(event)
    // End anywhere in the list but a text field goes to the newest text and stays with it: at once,
    // since the browser's smooth scroll would stop short of a bottom that keeps moving.
    if (event.key !== 'End' || event.defaultPrevented || event.altKey || event.shiftKey) return
    if (event.target instanceof Element && event.target.closest(EDITABLE)) return
    event.preventDefault()
    scroll.follow()
  }
  return (
    <section
      data-rivulet="chat-messages"
      data-following={scroll.following}
      aria-label={labels.messages}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to be scrolled by it
      tabIndex={0}
      ref={(node) => {
        scroll.scrollerRef.current = node
        setRef(ref, node)
      }}
      onScroll={scroll.onScroll}
      onKeyDown={onKey}
      {...rest}
    >
      <div data-rivulet="chat-messages-content" ref={scroll.contentRef}>
        {messages.map((message, index) => (
          <ChatMessageView
            key={message.id}
            message={message}
            index={index}
            isLast={message === last}
            busy={message === last && chat.isStreaming}
          />
        ))}
      </div>
      {children}
    </section>
  )
})

/** Shown while the list is not following the newest text; follows it again when pressed. */
export const JumpToLatest = forwardRef<HTMLButtonElement, Omit<HTMLAttributes<HTMLButtonElement>, 'children'>>(
  function JumpToLatest({ onClick, ...rest }, ref) {
    const { labels, focusInput } = useChatConfig('JumpToLatest')
    const { scroll, chat } = useChatState('JumpToLatest')
    if (scroll.following || chat.messages.length === 0) return null
    return (
      <button
        ref={ref}
        type="button"
        data-rivulet="jump-to-latest"
        onClick={(event) => {
          onClick?.(event)
          // The button goes away once following: focus goes where the next message is typed.
          focusInput()
          scroll.follow()
        }}
        {...rest}
      >
        <span aria-hidden="true">↓ </span>
        {labels.jumpToLatest}
      </button>
    )
  },
)
