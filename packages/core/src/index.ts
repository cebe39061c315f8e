export { type DecodeOptions, decode, PROTOCOLS } from './decode.js'
export { contentTypeOf, createEncoder, type EncodeOptions, encode } from './encode.js'
export {
  anthropicErrorType,
  type ErrorBodyOptions,
  errorBody,
  errorResponse,
  statusTextOf,
} from './error-body.js'
export { isStreamError, StreamError, type StreamErrorKind, type StreamErrorOptions } from './errors.js'
export { type NDJSONOptions, readNDJSON } from './framing/ndjson.js'
export { formatSSE, readSSE, type SSEEvent, type SSEEventInit, type SSEOptions } from './framing/sse.js'
export { parseErrorBody, retryAfterFromHeaders } from './http-error.js'
export type { BufferStrategy } from './pipeline/buffer.js'
export { PartialJSON } from './pipeline/partial-json.js'
export type { StreamProgress } from './pipeline/progress.js'
export { collectResult, ResultCollector, type StreamResult, type StreamUsage } from './pipeline/result.js'
export {
  type ProgressPart,
  type StreamTokensOptions,
  streamTokens,
  type TokenEvent,
  type TokenStreamItem,
} from './pipeline/stream-tokens.js'
export { type AiSdkEncoderOptions, aiSdkEncoder, aiSdkStreamHeaders } from './protocols/ai-sdk.js'
export { type AnthropicEncoderOptions, anthropicEncoder, anthropicMessage } from './protocols/anthropic.js'
export { type GeminiEncoderOptions, geminiEncoder } from './protocols/gemini.js'
export { type OllamaEncoderOptions, ollamaEncoder } from './protocols/ollama.js'
export { type OpenAIChatEncoderOptions, openaiChatCompletion, openaiChatEncoder } from './protocols/openai-chat.js'
export { type OpenAIResponsesEncoderOptions, openaiResponsesEncoder } from './protocols/openai-responses.js'
export type { ProtocolEncoder } from './protocols/protocol.js'
export { textEncoder } from './protocols/text.js'
export {
  type ChatMessage,
  type ChatMessageInput,
  type ChatSession,
  type ChatSessionOptions,
  type ChatSnapshot,
  type ChatStatus,
  createChatSession,
  type MessageMetrics,
  type MessageStatus,
  type SendOptions,
  type ToolApproval,
  type ToolCallInfo,
  type ToolResult,
  type WhenBusy,
} from './session/chat-session.js'
export type {
  ChatFileInput,
  DataPart,
  FilePart,
  MessagePart,
  ReasoningPart,
  SourcePart,
  StepStartPart,
  TextPart,
  ToolDefinition,
  ToolPart,
  ToolState,
} from './session/message.js'
export {
  hasToolOutput,
  MessageBuilder,
  type MessageBuilderOptions,
  type MessageContent,
} from './session/message-builder.js'
export { isRetryable, type RetryOptions, retryDelayMs } from './session/retry.js'
export { frameScheduler, type Scheduler, syncScheduler } from './session/scheduler.js'
export { validateInput } from './session/validate-input.js'
export { type HeadersSource, type HttpTransportOptions, httpTransport } from './transports/http.js'
export {
  type AnthropicOptions,
  anthropic,
  type DemoServerOptions,
  demoServer,
  type GeminiOptions,
  gemini,
  type OllamaOptions,
  type OpenAICompatibleOptions,
  type OpenAIResponsesOptions,
  ollama,
  openaiCompatible,
  openaiResponses,
  type SimulationOptions,
} from './transports/presets.js'
export { type AnthropicRequestBody, anthropicRequest } from './transports/requests/anthropic.js'
export { type GeminiRequestBody, geminiRequest } from './transports/requests/gemini.js'
export { type OllamaRequestBody, ollamaRequest } from './transports/requests/ollama.js'
export { type OpenAIChatRequestBody, openaiChatRequest } from './transports/requests/openai-chat.js'
export { type OpenAIResponsesRequestBody, openaiResponsesRequest } from './transports/requests/openai-responses.js'
export {
  RESUMABLE_HEADER,
  STREAM_ID_HEADER,
  streamUrl,
  type Transport,
  type TransportMessage,
  type TransportRequest,
} from './transports/transport.js'
export {
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketReconnectOptions,
  type WebSocketTransport,
  type WebSocketTransportOptions,
  websocketTransport,
} from './transports/websocket.js'
export {
  isStreamId,
  isStreamPart,
  type ReadFrame,
  readWebSocketClientFrame,
  readWebSocketServerFrame,
  type WebSocketClientFrame,
  type WebSocketErrorFields,
  type WebSocketServerFrame,
  webSocketErrorFields,
  webSocketStreamError,
  writeWebSocketFrame,
} from './transports/websocket-frames.js'
export type { ByteSource, FinishReason, Protocol, ProviderMetadata, StreamPart } from './types.js'
