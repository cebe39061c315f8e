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

export interface UseStreamingChatOptions extends ChatSessionOptions {
  /** Use this session instead of creating one (to share it between components). */
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
  /** The session itself, for `useStreamProgress`, selectors or sharing. */
  session: ChatSession
}

/**
 * A streaming chat: messages, status, progress and the actions, re-rendering at most once
 * per animation frame however fast tokens arrive. Unmount aborts the stream.
 *
 * @example
 * const chat = useStreamingChat({ transport: demoServer() })
 * <form onSubmit={(e) => { e.preventDefault(); chat.send(input) }}>…</form>
 * {chat.messages.map((m) => <p key={m.id}>{m.content}</p>)}
 * {chat.isStreaming && <button onClick={chat.abort}>Stop</button>}
 */
export function useStreamingChat(options: UseStreamingChatOptions): UseStreamingChatResult {
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
    session,
  }
}
