export { splitBlocks, type TextBlock } from './blocks.js'
export { ChatWindow, type ChatWindowLabels, type ChatWindowProps, DEFAULT_CHAT_LABELS } from './chat-window.js'
export { type FollowBottom, useFollowBottom } from './follow-bottom.js'
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
  StreamingMessage,
  type StreamingMessageLabels,
  type StreamingMessageProps,
} from './streaming-message.js'
export { useRevealedLength } from './use-reveal.js'
