export { type Announcement, AnnouncerStore } from './announcer.js'
export { splitBlocks, type TextBlock } from './blocks.js'
export {
  type ChatConfig,
  type ChatState,
  type RenderTool,
  type ToolRenderers,
  type ToolViewContext,
  useChatConfig,
  useChatState,
} from './chat-context.js'
export {
  ChatProgress,
  ChatRoot,
  type ChatRootProps,
  type ChatViewOptions,
  ChatWindow,
  type ChatWindowProps,
  renderMarkdown,
} from './chat-window.js'
export { ATTACHMENT_DEFAULTS, type AttachmentOptions, Composer, type ComposerProps } from './composer.js'
export { ErrorView, type ErrorViewProps, errorSentence } from './error-view.js'
export { type FollowBottom, useFollowBottom } from './follow-bottom.js'
export { type ChatWindowLabels, DEFAULT_CHAT_LABELS } from './labels.js'
export { BranchPicker, ChatMessageView, type ChatMessageViewProps, CopyButton, MessageActions } from './message.js'
export { ChatMessages, type ChatMessagesProps, JumpToLatest } from './message-list.js'
export {
  FileView,
  type FileViewProps,
  MessageParts,
  type MessagePartsProps,
  ReasoningView,
  type ReasoningViewProps,
  SourceList,
  type SourceListProps,
  StepBoundary,
} from './parts.js'
export {
  FRAME_MARGIN_MS,
  nextRevealed,
  type PendingArrival,
  REVEAL_DEFAULTS,
  RevealClock,
  type RevealOptions,
  type RevealStep,
} from './reveal.js'
export { DEFAULT_PROGRESS_LABEL, StreamProgressBar, type StreamProgressBarProps } from './stream-progress-bar.js'
export { DEFAULT_STATS_LABELS, StreamStats, type StreamStatsLabels, type StreamStatsProps } from './stream-stats.js'
export {
  DEFAULT_MESSAGE_LABELS,
  type RenderBlock,
  type RenderText,
  StreamingMessage,
  type StreamingMessageLabels,
  type StreamingMessageProps,
} from './streaming-message.js'
export { formatValue, TOOL_PREVIEW_CHARS, ToolView, type ToolViewProps } from './tool-view.js'
export { safeFileUrl, safeLinkUrl } from './urls.js'
export { useRevealedLength } from './use-reveal.js'
