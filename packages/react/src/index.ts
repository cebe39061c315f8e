export { useChatSelector, useChatSession, useChatSnapshot } from './use-chat-session.js'
export { type UseCompletionOptions, type UseCompletionResult, useCompletion } from './use-completion.js'
export { type LiveProgress, type ProgressSource, useStreamProgress } from './use-stream-progress.js'
export { type UseStreamingChatOptions, type UseStreamingChatResult, useStreamingChat } from './use-streaming-chat.js'
