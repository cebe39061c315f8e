/**
 * The Chat Completions request body for a conversation.
 * https://platform.openai.com/docs/api-reference/chat/create
 *
 * Each tool round of an assistant message is one `assistant` message (its text and `tool_calls`)
 * followed by one `tool` message per call, linked by `tool_call_id`. Reasoning is not sent back:
 * Chat Completions has no field for it. Calls the provider ran itself are left out.
 */
import type { ChatMessage, MessagePart, ToolPart } from '../../session/message.js'
import type { TransportRequest } from '../transport.js'
import {
  dataUrl,
  decodedText,
  fileSource,
  isTextFile,
  outcomeText,
  partsOf,
  stepsOf,
  textOf,
  toolEntries,
  toolOutcome,
  unsupportedInput,
} from './history.js'

export type OpenAIChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'file'; file: { file_data: string; filename: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: 'wav' | 'mp3' } }

export interface OpenAIChatToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export type OpenAIChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIChatContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string }

export interface OpenAIChatTool {
  type: 'function'
  function: { name: string; description?: string; parameters: Record<string, unknown> }
}

export interface OpenAIChatRequestBody {
  model: string
  messages: OpenAIChatMessage[]
  stream: true
  stream_options: { include_usage: true }
  max_tokens?: number
  tools?: OpenAIChatTool[]
}

/** The images Chat Completions reads (GIFs not animated). */
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif'])
const AUDIO_FORMATS: Readonly<Record<string, 'wav' | 'mp3'>> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
}
const TAKES = 'PNG, JPEG, WebP and GIF images, PDFs, WAV and MP3 audio, and text files'

/**
 * @example
 * openaiChatRequest({ messages, tools }, { model: 'gpt-4o-mini' }) // { model, messages: [...], stream: true, … }
 */
export function openaiChatRequest(
  request: Pick<TransportRequest, 'messages' | 'tools'>,
  options: { model: string; maxTokens?: number; provider?: string },
): OpenAIChatRequestBody {
  const tools = openaiChatTools(request.tools)
  return {
    model: options.model,
    messages: openaiChatMessages(request.messages, options.provider),
    stream: true,
    stream_options: { include_usage: true },
    ...(options.maxTokens !== undefined && { max_tokens: options.maxTokens }),
    ...(tools.length > 0 && { tools }),
  }
}

/** The conversation as Chat Completions `messages`. `provider` names the server in errors. */
export function openaiChatMessages(
  conversation: TransportRequest['messages'],
  provider = 'OpenAI Chat Completions',
): OpenAIChatMessage[] {
  const messages: OpenAIChatMessage[] = []
  for (const message of conversation) {
    if (message.role === 'system') {
      const text = textOf(message)
      if (text !== '') messages.push({ role: 'system', content: text })
    } else if (message.role === 'user') {
      const user = userMessage(message, provider)
      if (user) messages.push(user)
    } else for (const step of stepsOf(message)) assistantStep(step, messages)
  }
  return messages
}

/** `tools` in the Chat Completions shape (Ollama's `/api/chat` takes the same). */
export function openaiChatTools(tools: TransportRequest['tools']): OpenAIChatTool[] {
  return toolEntries(tools).map(([name, tool]) => ({
    type: 'function',
    function: {
      name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.inputSchema as Record<string, unknown>,
    },
  }))
}

function userMessage(message: ChatMessage, provider: string): OpenAIChatMessage | undefined {
  const parts = partsOf(message)
  // Text alone goes as a string, which every compatible server takes.
  if (!parts.some((part) => part.type === 'file')) {
    const text = textOf(message)
    return text === '' ? undefined : { role: 'user', content: text }
  }
  const content: OpenAIChatContentPart[] = []
  for (const part of parts) {
    if (part.type === 'text' && part.text !== '') content.push({ type: 'text', text: part.text })
    else if (part.type === 'file') content.push(filePart(part, provider))
  }
  return { role: 'user', content }
}

function filePart(part: Extract<MessagePart, { type: 'file' }>, provider: string): OpenAIChatContentPart {
  const source = fileSource(part)
  const { mediaType } = source
  if (IMAGE_TYPES.has(mediaType)) {
    return { type: 'image_url', image_url: { url: source.kind === 'url' ? source.url : dataUrl(source) } }
  }
  if (source.kind === 'url') {
    throw unsupportedInput(provider, `a ${mediaType} file by URL`, `${TAKES}, attached as files (only images by URL)`)
  }
  if (mediaType === 'application/pdf') {
    return { type: 'file', file: { file_data: dataUrl(source), filename: source.filename ?? 'document.pdf' } }
  }
  const audio = AUDIO_FORMATS[mediaType]
  if (audio !== undefined) return { type: 'input_audio', input_audio: { data: source.base64, format: audio } }
  if (isTextFile(mediaType)) return { type: 'text', text: decodedText(source.base64) }
  throw unsupportedInput(provider, `${mediaType} files`, TAKES)
}

/** One tool round: the assistant's text and calls, then each call's result. */
function assistantStep(step: readonly MessagePart[], out: OpenAIChatMessage[]): void {
  let text = ''
  const calls: OpenAIChatToolCall[] = []
  const results: OpenAIChatMessage[] = []
  for (const part of step) {
    if (part.type === 'text') text += part.text
    else if (part.type === 'tool' && !part.providerExecuted) {
      const outcome = toolOutcome(part)
      if (outcome === undefined) continue
      calls.push(toolCall(part))
      results.push({ role: 'tool', tool_call_id: part.toolCallId, content: outcomeText(outcome) })
    }
  }
  // A failed or stopped round with nothing in it is not sent: providers reject empty assistant messages.
  if (text === '' && calls.length === 0) return
  out.push({ role: 'assistant', content: text === '' ? null : text, ...(calls.length > 0 && { tool_calls: calls }) })
  out.push(...results)
}

function toolCall(part: ToolPart): OpenAIChatToolCall {
  return {
    id: part.toolCallId,
    type: 'function',
    function: { name: part.name, arguments: JSON.stringify(part.input ?? {}) },
  }
}
