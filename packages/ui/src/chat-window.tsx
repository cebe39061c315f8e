import type { ChatMessage, ToolPart } from '@rivulet/core'
import { type UseStreamingChatOptions, type UseStreamingChatResult, useStreamingChat } from '@rivulet/react'
import { type CSSProperties, type KeyboardEvent, memo, useCallback, useMemo, useRef, useState } from 'react'
import { useFollowBottom } from './follow-bottom.js'
import { DEFAULT_PROGRESS_LABEL, StreamProgressBar } from './stream-progress-bar.js'
import { DEFAULT_STATS_LABELS, StreamStats, type StreamStatsLabels } from './stream-stats.js'
import {
  DEFAULT_MESSAGE_LABELS,
  type RenderBlock,
  StreamingMessage,
  type StreamingMessageLabels,
} from './streaming-message.js'

/** Every word the chat shows or announces, its messages', progress bar's and stats' included. */
export interface ChatWindowLabels extends StreamingMessageLabels, StreamStatsLabels {
  chat: string
  messages: string
  input: string
  placeholder: string
  send: string
  stop: string
  regenerate: string
  retry: string
  reasoning: string
  error: string
  /** The progress bar's accessible name. */
  progress: string
}

export const DEFAULT_CHAT_LABELS: ChatWindowLabels = {
  chat: 'Chat',
  messages: 'Messages',
  input: 'Message',
  placeholder: 'Send a message',
  send: 'Send',
  stop: 'Stop',
  regenerate: 'Regenerate',
  retry: 'Retry',
  reasoning: 'Reasoning',
  error: 'Something went wrong',
  progress: DEFAULT_PROGRESS_LABEL,
  ...DEFAULT_MESSAGE_LABELS,
  ...DEFAULT_STATS_LABELS,
}

interface ChatWindowViewProps {
  /** Renders assistant text block by block (markdown, say); see `StreamingMessage`. */
  renderBlock?: RenderBlock
  labels?: Partial<ChatWindowLabels>
  /** Type answers out smoothly. Default true; off with prefers-reduced-motion. */
  animate?: boolean
  /** Show the progress bar and stream stats. Default true. */
  stats?: boolean
  id?: string
  className?: string
  style?: CSSProperties
}

/**
 * Either an existing `useStreamingChat` result (`chat`), or the options to start one
 * (`transport` and the other session options).
 */
export type ChatWindowProps = ChatWindowViewProps &
  ({ chat: UseStreamingChatResult } | (UseStreamingChatOptions & { chat?: undefined }))

/**
 * A whole chat: messages that follow new text (until the user scrolls up), a composer (Enter
 * sends, Shift+Enter is a newline), stop, regenerate, errors with retry, reasoning collapsed,
 * tool calls with their arguments, and live stats.
 *
 * @example
 * <ChatWindow transport={demoServer()} buffer="word" />
 * // or, with a chat you also use elsewhere:
 * const chat = useStreamingChat({ transport })
 * <ChatWindow chat={chat} renderBlock={(block) => <Markdown>{block.text}</Markdown>} />
 */
export function ChatWindow(props: ChatWindowProps) {
  const { renderBlock, labels, animate, stats, id, className, style, chat, ...options } = props
  const view = { renderBlock, labels, animate, stats, id, className, style }
  return chat ? <ChatView chat={chat} {...view} /> : <OwnChat options={options as UseStreamingChatOptions} {...view} />
}

function OwnChat({ options, ...view }: ChatWindowViewProps & { options: UseStreamingChatOptions }) {
  return <ChatView chat={useStreamingChat(options)} {...view} />
}

const PRE_WRAP: CSSProperties = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }

function ChatView({
  chat,
  renderBlock,
  labels: labelsProp,
  animate = true,
  stats = true,
  ...rest
}: ChatWindowViewProps & { chat: UseStreamingChatResult }) {
  const labels = useMemo(() => ({ ...DEFAULT_CHAT_LABELS, ...labelsProp }), [labelsProp])
  const [input, setInput] = useState('')
  const inputRef = useRef<HTMLTextAreaElement>(null)
  const { scrollerRef, contentRef, onScroll, following, follow } = useFollowBottom()
  const messages = chat.messages.filter((message) => message.role !== 'system')
  const last = messages.at(-1)
  const { isStreaming, send, abort, regenerate } = chat

  const submit = () => {
    const content = input.trim()
    if (content === '' || isStreaming) return
    setInput('')
    // The Send button is disabled while the answer streams: keep focus where typing goes on.
    inputRef.current?.focus()
    follow()
    // It rejects only if a stream is live (ruled out above); a failed answer shows as its error.
    send(content).catch(() => {})
  }
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a newline, and Enter that confirms an IME composition is neither.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return
    event.preventDefault()
    submit()
  }
  const stop = () => {
    abort()
    // The Stop button goes away with the stream; focus goes back to the composer, not to the page.
    inputRef.current?.focus()
  }
  const retry = useCallback(() => {
    follow()
    regenerate().catch(() => {})
  }, [follow, regenerate])

  return (
    <section data-rivulet="chat" data-status={chat.status} aria-label={labels.chat} {...rest}>
      <section
        data-rivulet="chat-messages"
        data-following={following}
        aria-label={labels.messages}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to be scrolled by it
        tabIndex={0}
        ref={scrollerRef}
        onScroll={onScroll}
      >
        <div data-rivulet="chat-messages-content" ref={contentRef}>
          {messages.map((message) => (
            <MessageItem
              key={message.id}
              message={message}
              isLast={message === last}
              busy={message === last && isStreaming}
              labels={labels}
              renderBlock={renderBlock}
              animate={animate}
              onRetry={retry}
            />
          ))}
        </div>
      </section>
      {stats && chat.progress && (
        <div data-rivulet="chat-progress">
          {isStreaming && <StreamProgressBar source={chat} aria-label={labels.progress} />}
          <StreamStats source={chat} labels={labels} />
        </div>
      )}
      <form
        data-rivulet="composer"
        onSubmit={(event) => {
          event.preventDefault()
          submit()
        }}
      >
        <textarea
          ref={inputRef}
          aria-label={labels.input}
          placeholder={labels.placeholder}
          rows={1}
          value={input}
          onChange={(event) => setInput(event.target.value)}
          onKeyDown={onKeyDown}
        />
        {isStreaming && (
          <button type="button" data-rivulet="stop" onClick={stop}>
            {labels.stop}
          </button>
        )}
        <button type="submit" data-rivulet="send" disabled={isStreaming || input.trim() === ''}>
          {labels.send}
        </button>
      </form>
    </section>
  )
}

interface MessageItemProps {
  message: ChatMessage
  isLast: boolean
  busy: boolean
  labels: ChatWindowLabels
  renderBlock: RenderBlock | undefined
  animate: boolean
  onRetry(): void
}

/** One message. Earlier messages keep their object identity while the answer streams, so they skip re-rendering. */
const MessageItem = memo(function MessageItem({
  message,
  isLast,
  busy,
  labels,
  renderBlock,
  animate,
  onRetry,
}: MessageItemProps) {
  if (message.role !== 'assistant') {
    return (
      <article data-rivulet="chat-message" data-role={message.role}>
        <div data-rivulet="message-content" style={PRE_WRAP}>
          {message.content}
        </div>
      </article>
    )
  }
  const { status, reasoning, parts, error } = message
  return (
    <article data-rivulet="chat-message" data-role="assistant" data-status={status}>
      {reasoning && (
        <details data-rivulet="reasoning" data-status={message.content === '' && busy ? 'streaming' : 'done'}>
          <summary>{labels.reasoning}</summary>
          <div style={PRE_WRAP}>{reasoning}</div>
        </details>
      )}
      {parts.map((part) => (part.type === 'tool' ? <ToolCallView key={part.toolCallId} call={part} /> : null))}
      <StreamingMessage message={message} renderBlock={renderBlock} animate={animate} labels={labels} />
      {status === 'error' && (
        <div data-rivulet="chat-error" role="alert">
          <span>
            {labels.error}
            {error?.message ? `: ${error.message}` : ''}
          </span>
          {isLast && (
            <button type="button" data-rivulet="retry" onClick={onRetry}>
              {labels.retry}
            </button>
          )}
        </div>
      )}
      {isLast && !busy && (status === 'done' || status === 'aborted') && (
        <button type="button" data-rivulet="regenerate" onClick={onRetry}>
          {labels.regenerate}
        </button>
      )}
    </article>
  )
})

function ToolCallView({ call }: { call: ToolPart }) {
  return (
    <div data-rivulet="tool-call" data-tool={call.name} data-state={call.state}>
      <div data-rivulet="tool-name">{call.name}</div>
      <pre data-rivulet="tool-arguments">
        <code>{formatArguments(call.input)}</code>
      </pre>
    </div>
  )
}

function formatArguments(args: unknown): string {
  if (typeof args === 'string') return args
  try {
    return JSON.stringify(args, null, 2) ?? String(args)
  } catch {
    return String(args)
  }
}
