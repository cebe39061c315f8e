/**
 * Typecheck only (`pnpm typecheck`, nothing runs): the request bodies core's presets send are
 * valid requests by the official SDKs' own param types. The bodies are the ones core's preset
 * tests record for a two-step tool conversation (a signed thought, an image, a denied approval),
 * and, for OpenAI, the builders' declared body types as a whole. (Anthropic's builder type also
 * holds server-tool and MCP blocks passed back as Anthropic sent them, which the SDK types only
 * in its beta namespace or by each tool's own result shape.)
 */
import type Anthropic from '@anthropic-ai/sdk'
import type { OpenAIChatRequestBody, OpenAIResponsesRequestBody } from '@rivulet/core'
import type OpenAI from 'openai'
import type {
  anthropicBody,
  openaiChatBody,
  openaiResponsesBody,
} from '../../../packages/core/src/transports/requests/__fixtures__/tool-conversation.js'

/** The fixtures are `as const`; the SDKs take mutable arrays. */
type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> }

export function recordedBodies(
  chat: Mutable<typeof openaiChatBody>,
  responses: Mutable<typeof openaiResponsesBody>,
  messages: Mutable<typeof anthropicBody>,
): void {
  chat satisfies OpenAI.Chat.ChatCompletionCreateParamsStreaming
  responses satisfies OpenAI.Responses.ResponseCreateParamsStreaming
  messages satisfies Anthropic.MessageCreateParamsStreaming
}

export function builderBodies(chat: OpenAIChatRequestBody, responses: OpenAIResponsesRequestBody): void {
  chat satisfies OpenAI.Chat.ChatCompletionCreateParamsStreaming
  responses satisfies OpenAI.Responses.ResponseCreateParamsStreaming
}
