import { Markdown } from '@rivulet/markdown'
import { type UseStreamingChatOptions, type UseStreamingChatResult, useStreamingChat } from '@rivulet/react'
import {
  type CSSProperties,
  forwardRef,
  type HTMLAttributes,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react'
import { AnnouncerContext, AnnouncerStore, ChatLiveRegion } from './announcer.js'
import {
  type ChatConfig,
  ChatConfigContext,
  type ChatState,
  ChatStateContext,
  type FocusRequest,
  type ToolRenderers,
  useChatConfig,
  useChatState,
  useLatest,
} from './chat-context.js'
import { type AttachmentOptions, Composer } from './composer.js'
import { setRef } from './dom.js'
import { useFollowBottom } from './follow-bottom.js'
import { type ChatWindowLabels, DEFAULT_CHAT_LABELS } from './labels.js'
import { ChatMessages, JumpToLatest } from './message-list.js'
import { StreamProgressBar } from './stream-progress-bar.js'
import { StreamStats } from './stream-stats.js'
import type { RenderBlock, RenderText } from './streaming-message.js'

/** `ChatWindow`'s default text renderer: `@rivulet/markdown`, repairing unfinished syntax while live. */
export const renderMarkdown: RenderText = (text, live) => <Markdown text={text} streaming={live} />

/** How a chat looks and reads, for `ChatRoot` and `ChatWindow`. */
export interface ChatViewOptions {
  labels?: Partial<ChatWindowLabels>
  /**
   * Renders an answer's text (the whole of each text part). Default `renderMarkdown`; `false`
   * for plain text. Nothing here turns text into HTML: what it returns is the app's choice.
   */
  renderText?: RenderText | false
  /** Renders answer text block by block instead (see `StreamingMessage`); `renderText` wins. */
  renderBlock?: RenderBlock
  /** Views for tools by name; the others keep the default `ToolView`. */
  renderTool?: ToolRenderers
  /** Type answers out smoothly. Default true; off with prefers-reduced-motion. */
  animate?: boolean
}

export interface ChatRootProps extends ChatViewOptions, HTMLAttributes<HTMLElement> {
  chat: UseStreamingChatResult
}

/**
 * The root of a chat an app composes itself: it gives the chat, its labels and renderers to the
 * pieces inside (`ChatMessages`, `JumpToLatest`, `Composer`, `ChatProgress`), and holds the one
 * live region its answers are announced from.
 *
 * @example
 * <ChatRoot chat={chat}>
 *   <ChatMessages><JumpToLatest /></ChatMessages>
 *   <Composer maxFiles={2} />
 * </ChatRoot>
 */
export const ChatRoot = forwardRef<HTMLElement, ChatRootProps>(function ChatRoot(
  { chat, labels: labelsProp, renderText, renderBlock, renderTool, animate = true, children, ...rest },
  ref,
) {
  // Labels are strings: an inline object with the same ones keeps the memoized messages as they are.
  const labelsKey = JSON.stringify(labelsProp ?? {})
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the labels' content
  const labels = useMemo(() => ({ ...DEFAULT_CHAT_LABELS, ...labelsProp }), [labelsKey])
  const scroll = useFollowBottom()
  const inputRef = useRef<HTMLTextAreaElement>(null)
  const root = useRef<HTMLElement | null>(null)
  const focusRequest = useRef<FocusRequest | null>(null)
  const tools = useLatest(renderTool)
  const [announcer] = useState(() => new AnnouncerStore())
  const { session } = chat
  const { follow } = scroll

  const focusInput = useCallback(() => inputRef.current?.focus(), [])
  // A chat that unmounts drops its pending focus request, so no retry outlives it.
  useEffect(
    () => () => {
      focusRequest.current = null
    },
    [],
  )
  const requestFocus = useCallback(
    (request: FocusRequest) => {
      focusRequest.current = request
      // The new version renders after the session's next notification (at most a frame away).
      const deadline = Date.now() + 1000
      const attempt = () => {
        if (focusRequest.current !== request) return
        const active = document.activeElement
        const lost = !active || active === document.body || !active.isConnected
        const message = root.current?.querySelectorAll<HTMLElement>('[data-rivulet="chat-message"]')[
          request.messageIndex
        ]
        const control = message?.querySelector<HTMLElement>(`[data-action="${request.action}"]`)
        if (control && message?.dataset.messageId !== request.messageId) {
          focusRequest.current = null
          if (lost) control.focus()
        } else if (Date.now() > deadline) {
          focusRequest.current = null
          if (lost) focusInput()
        } else {
          setTimeout(attempt, 16)
        }
      }
      setTimeout(attempt, 0)
    },
    [focusInput],
  )

  const text = renderText === false ? undefined : (renderText ?? (renderBlock ? undefined : renderMarkdown))
  const config = useMemo<ChatConfig>(
    () => ({
      session,
      labels,
      animate,
      renderText: text,
      renderBlock,
      toolRenderer: (name) => tools.current?.[name],
      follow,
      regenerate: () => {
        focusInput()
        follow()
        session.regenerate().catch(() => {})
      },
      inputRef,
      focusInput,
      requestFocus,
      focusRequest,
    }),
    [session, labels, animate, text, renderBlock, tools, follow, focusInput, requestFocus],
  )
  const state = useMemo<ChatState>(() => ({ chat, scroll }), [chat, scroll])

  return (
    <ChatConfigContext.Provider value={config}>
      <ChatStateContext.Provider value={state}>
        <AnnouncerContext.Provider value={announcer}>
          <section
            ref={(node) => {
              root.current = node
              setRef(ref, node)
            }}
            data-rivulet="chat"
            data-status={chat.status}
            aria-label={config.labels.chat}
            {...rest}
          >
            {children}
            <ChatLiveRegion store={announcer} />
          </section>
        </AnnouncerContext.Provider>
      </ChatStateContext.Provider>
    </ChatConfigContext.Provider>
  )
})

/** The live answer's progress bar and stats, and the last answer's stats once it is done. */
export const ChatProgress = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(
  function ChatProgress(props, ref) {
    const { chat } = useChatState('ChatProgress')
    const { labels } = useChatConfig('ChatProgress')
    if (!chat.progress) return null
    return (
      <div ref={ref} data-rivulet="chat-progress" {...props}>
        {chat.isStreaming && <StreamProgressBar source={chat} aria-label={labels.progress} />}
        <StreamStats source={chat} labels={labels} />
      </div>
    )
  },
)

interface ChatWindowViewProps extends ChatViewOptions, AttachmentOptions {
  /** Show the progress bar and stream stats. Default true. */
  stats?: boolean
  /** Let the user attach files. Default true. */
  attachments?: boolean
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
 * A whole chat, composed of the exported pieces: messages with every part in order (markdown
 * text, reasoning, tool calls with approvals, sources, files) that follow new text until the
 * reader scrolls up, a jump-to-latest button, copy / edit / regenerate and versions, errors with
 * retry, live stats, and a composer that attaches files. It fills its container's height and
 * scrolls inside it.
 *
 * @example
 * <ChatWindow transport={demoServer()} buffer="word" />
 * // or, with a chat you also use elsewhere, and your own view of one tool:
 * const chat = useStreamingChat({ transport, tools })
 * <ChatWindow chat={chat} renderTool={{ weather: ({ part }) => <Weather part={part} /> }} />
 */
export const ChatWindow = forwardRef<HTMLElement, ChatWindowProps>(function ChatWindow(props, ref) {
  const {
    renderText,
    renderBlock,
    renderTool,
    labels,
    animate,
    stats,
    attachments,
    accept,
    maxFiles,
    maxFileSize,
    id,
    className,
    style,
    chat,
    ...options
  } = props
  const view: ViewProps = {
    renderText,
    renderBlock,
    renderTool,
    labels,
    animate,
    stats,
    attachments,
    accept,
    maxFiles,
    maxFileSize,
    id,
    className,
    style,
  }
  return chat ? (
    <ChatView ref={ref} chat={chat} {...view} />
  ) : (
    <OwnChat ref={ref} options={options as UseStreamingChatOptions} {...view} />
  )
})

type ViewProps = ChatWindowViewProps

const OwnChat = forwardRef<HTMLElement, ViewProps & { options: UseStreamingChatOptions }>(function OwnChat(
  { options, ...view },
  ref,
) {
  return <ChatView ref={ref} chat={useStreamingChat(options)} {...view} />
})

const ChatView = forwardRef<HTMLElement, ViewProps & { chat: UseStreamingChatResult }>(function ChatView(
  { stats = true, attachments, accept, maxFiles, maxFileSize, ...root },
  ref,
) {
  return (
    <ChatRoot ref={ref} {...root}>
      <ChatMessages>
        <JumpToLatest />
      </ChatMessages>
      {stats && <ChatProgress />}
      <Composer attachments={attachments} accept={accept} maxFiles={maxFiles} maxFileSize={maxFileSize} />
    </ChatRoot>
  )
})
