import type {
  ChatMessage,
  ChatMessageInput,
  ChatSession,
  ChatSessionOptions,
  ChatStatus,
  SendOptions,
  StreamError,
  StreamProgress,
} from '@rivulet/core'
import { useChatSession, useChatSnapshot } from './use-chat-session.js'

/** The session options: the hook creates the session, and aborts it on unmount. */
export interface UseStreamingChatOptions extends ChatSessionOptions {
  /** A shared session to read instead (the other options are then its own, not these). */
  session?: ChatSession
}

export interface UseStreamingChatResult {
  messages: readonly ChatMessage[]
  status: ChatStatus
  error: StreamError | undefined
  progress: StreamProgress | undefined
  isStreaming: boolean
  send(input: string | ChatMessageInput, options?: SendOptions): Promise<void>
  abort(): void
  reset(): void
  regenerate(): Promise<void>
  setMessages: ChatSession['setMessages']
  addToolResult: ChatSession['addToolResult']
  respondToApproval: ChatSession['respondToApproval']
  editMessage: ChatSession['editMessage']
  selectBranch: ChatSession['selectBranch']
  /** The session itself, for `useStreamProgress`, selectors or sharing. */
  session: ChatSession
}

/**
 * A streaming chat: messages, status, progress and the actions, re-rendering at most once
 * per animation frame however fast tokens arrive. Unmount aborts the stream of the session the
 * hook created; with `{ session }` it reads a shared one (configured with `session.setOptions`)
 * and leaves it running when it unmounts.
 *
 * @example
 * const chat = useStreamingChat({ transport: demoServer(), tools: { weather } })
 * <form onSubmit={(e) => { e.preventDefault(); chat.send(input) }}>…</form>
 * {chat.messages.map((m) => <p key={m.id}>{m.content}</p>)}
 * {chat.isStreaming && <button onClick={chat.abort}>Stop</button>}
 */
export function useStreamingChat(options: UseStreamingChatOptions | { session: ChatSession }): UseStreamingChatResult {
  const session = useChatSession(options)
  const { messages, status, error, progress } = useChatSnapshot(session)
  return {
    messages,
    status,
    error,
    progress,
    isStreaming: status === 'submitted' || status === 'streaming',
    send: session.send,
    abort: session.abort,
    reset: session.reset,
    regenerate: session.regenerate,
    setMessages: session.setMessages,
    addToolResult: session.addToolResult,
    respondToApproval: session.respondToApproval,
    editMessage: session.editMessage,
    selectBranch: session.selectBranch,
    session,
  }
}
