import type { ChatSessionOptions, ChatStatus, MessagePart, StreamError, StreamProgress } from '@rivulet/core'
import { useCallback } from 'react'
import { useChatSession, useChatSnapshot } from './use-chat-session.js'

export interface UseCompletionOptions extends ChatSessionOptions {
  /** Sent before each prompt as a system message. */
  system?: string
}

export interface UseCompletionResult {
  /** The answer so far. */
  completion: string
  reasoning: string
  /** Everything the answer holds, in order (text, reasoning, tool calls, sources, files). */
  parts: readonly MessagePart[]
  status: ChatStatus
  error: StreamError | undefined
  progress: StreamProgress | undefined
  isStreaming: boolean
  /** Starts a new completion, stopping any live one. */
  complete(prompt: string): Promise<void>
  abort(): void
  reset(): void
}

const NO_PARTS: readonly MessagePart[] = []

/**
 * One prompt, one streamed answer: for completions, summaries, rewrites — no chat history.
 *
 * @example
 * const { completion, complete, isStreaming } = useCompletion({ transport })
 * <button onClick={() => complete(`Summarize: ${text}`)} disabled={isStreaming}>Summarize</button>
 */
export function useCompletion(options: UseCompletionOptions): UseCompletionResult {
  const session = useChatSession(options)
  const { messages, status, error, progress } = useChatSnapshot(session)
  const { system } = options
  const complete = useCallback(
    (prompt: string) => {
      // Each completion starts from nothing (but an optional system message).
      session.setMessages(
        system ? [{ id: 'system', role: 'system', parts: [{ type: 'text', text: system }], content: system }] : [],
      )
      return session.send(prompt)
    },
    [session, system],
  )
  const answer = messages.at(-1)?.role === 'assistant' ? messages.at(-1) : undefined
  return {
    completion: answer?.content ?? '',
    reasoning: answer?.reasoning ?? '',
    parts: answer?.parts ?? NO_PARTS,
    status,
    error,
    progress,
    isStreaming: status === 'submitted' || status === 'streaming',
    complete,
    abort: session.abort,
    reset: session.reset,
  }
}
