/** The providers' error bodies, from `@rivulet/core`, where every server and mock gets them. */
export { errorBody } from '@rivulet/core'
export {
  aiSdkHandler,
  anthropicHandler,
  defaultUrls,
  geminiHandler,
  ollamaHandler,
  openaiChatHandler,
  openaiResponsesHandler,
  type RecordedRequest,
  type StreamHandlerOptions,
  streamHandler,
  textHandler,
} from './handlers.js'
export { type ScriptToolCall, type ScriptUsage, type StreamScript, scriptParts } from './script.js'
export {
  type Fault,
  type HttpFault,
  type StreamBodyOptions,
  type StreamFault,
  type StreamOutcome,
  type StreamResponseOptions,
  type StreamTiming,
  streamBody,
  streamResponse,
} from './stream.js'
export { splitTokens } from './tokens.js'
