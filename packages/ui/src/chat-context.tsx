import type { ChatSession, ToolPart } from '@rivulet/core'
import type { UseStreamingChatResult } from '@rivulet/react'
import { createContext, type ReactNode, type RefObject, useContext, useRef } from 'react'
import type { FollowBottom } from './follow-bottom.js'
import type { ChatWindowLabels } from './labels.js'
import type { RenderBlock, RenderText } from './streaming-message.js'

/** What a tool's own view gets: its part, and the answers it may give. */
export interface ToolViewContext {
  part: ToolPart
  /** Answers `approval-requested` (`respondToApproval`). */
  respond(approved: boolean, reason?: string): void
  /** Gives a call the app runs its result (`addToolResult`). */
  addResult(result: { output: unknown } | { errorText: string }): void
}

/** Renders a tool's part; `undefined` keeps the default view. */
export type RenderTool = (context: ToolViewContext) => ReactNode

/**
 * Views per tool name; tools without one keep the default `ToolView`.
 *
 * @example
 * <ChatWindow renderTool={{ weather: ({ part }) => <WeatherCard {...(part.output as Weather)} /> }} />
 */
export type ToolRenderers = Partial<Record<string, RenderTool>>

/** Where focus goes once a message it was in has been replaced by another version. */
export interface FocusRequest {
  /** The message's position in the list. */
  messageIndex: number
  /** The id the message had: focus moves once another one is there. */
  messageId: string
  /** `data-action` of the control to focus in it. */
  action: string
}

/**
 * What does not change while an answer streams: the session's actions, labels, renderers. Message
 * views read only this, so earlier messages do not re-render per frame.
 */
export interface ChatConfig {
  session: ChatSession
  labels: ChatWindowLabels
  animate: boolean
  renderText: RenderText | undefined
  renderBlock: RenderBlock | undefined
  /** The view for a tool by its name, if the app gave one. */
  toolRenderer(name: string): RenderTool | undefined
  /** Follow the newest message again (after sending, regenerating). */
  follow(): void
  /**
   * Regenerate or Retry: asks again for the last answer. The button goes away with the answer it
   * replaces, so focus goes where the next message is typed, not to the page.
   */
  regenerate(): void
  /** The composer's text field, where focus goes when the control that had it goes away. */
  inputRef: RefObject<HTMLTextAreaElement | null>
  focusInput(): void
  /** Focus a control of a message once its new version has rendered. */
  requestFocus(request: FocusRequest): void
  /** The pending focus request (read by the message list after it renders). */
  focusRequest: RefObject<FocusRequest | null>
}

/** What changes as the answer streams: the chat itself and whether the list follows it. */
export interface ChatState {
  chat: UseStreamingChatResult
  scroll: FollowBottom
}

export const ChatConfigContext = createContext<ChatConfig | null>(null)
export const ChatStateContext = createContext<ChatState | null>(null)

export function useChatConfig(component: string): ChatConfig {
  const config = useContext(ChatConfigContext)
  if (!config) throw new Error(`<${component}> must be inside <ChatRoot> (or <ChatWindow>)`)
  return config
}

export function useChatState(component: string): ChatState {
  const state = useContext(ChatStateContext)
  if (!state) throw new Error(`<${component}> must be inside <ChatRoot> (or <ChatWindow>)`)
  return state
}

/** The latest `value` behind a function that never changes: inline props do not re-render memoized children. */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value)
  ref.current = value
  return ref
}

/** Fills `{name}` placeholders of a label. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? String(values[key]) : match))
}
