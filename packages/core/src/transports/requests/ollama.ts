/**
 * Ollama's `/api/chat` request body for a conversation.
 * https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 *
 * Messages carry their text as `content`, images as base64 `images`, thinking as `thinking`.
 * Each tool round is one `assistant` message with `tool_calls` (arguments as an object) and one
 * `tool` message per result, named by `tool_name`. Ollama takes no other files.
 */
import type { ChatMessage, MessagePart } from '../../session/message.js'
import type { TransportRequest } from '../transport.js'
import {
  decodedText,
  fileSource,
  isTextFile,
  outcomeText,
  partsOf,
  stepsOf,
  textOf,
  toolOutcome,
  unsupportedInput,
} from './history.js'
import { type OpenAIChatTool, openaiChatTools } from './openai-chat.js'

export type OllamaMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; images?: string[] }
  | {
      role: 'assistant'
      content: string
      thinking?: string
      tool_calls?: { function: { name: string; arguments: unknown } }[]
    }
  | { role: 'tool'; content: string; tool_name: string }

export interface OllamaRequestBody {
  model: string
  messages: OllamaMessage[]
  stream: true
  tools?: OpenAIChatTool[]
  options?: { num_predict: number }
}

const PROVIDER = 'Ollama'
const TAKES = 'images (as files, not URLs) and text files'

/**
 * @example
 * ollamaRequest({ messages, tools }, { model: 'llama3.2' }) // { model, messages: [...], stream: true }
 */
export function ollamaRequest(
  request: Pick<TransportRequest, 'messages' | 'tools'>,
  options: { model: string; maxTokens?: number },
): OllamaRequestBody {
  const messages: OllamaMessage[] = []
  for (const message of request.messages) {
    if (message.role === 'system') {
      const text = textOf(message)
      if (text !== '') messages.push({ role: 'system', content: text })
    } else if (message.role === 'user') {
      const user = userMessage(message)
      if (user) messages.push(user)
    } else for (const step of stepsOf(message)) assistantStep(step, messages)
  }
  const tools = openaiChatTools(request.tools)
  return {
    model: options.model,
    messages,
    stream: true,
    ...(tools.length > 0 && { tools }),
    ...(options.maxTokens !== undefined && { options: { num_predict: options.maxTokens } }),
  }
}

function userMessage(message: ChatMessage): OllamaMessage | undefined {
  const texts: string[] = []
  const images: string[] = []
  for (const part of partsOf(message)) {
    if (part.type === 'text' && part.text !== '') texts.push(part.text)
    else if (part.type === 'file') {
      const source = fileSource(part)
      if (source.mediaType.startsWith('image/') && source.kind === 'data') images.push(source.base64)
      else if (isTextFile(source.mediaType) && source.kind === 'data') texts.push(decodedText(source.base64))
      else throw unsupportedInput(PROVIDER, `${source.mediaType} files${source.kind === 'url' ? ' by URL' : ''}`, TAKES)
    }
  }
  if (texts.length === 0 && images.length === 0) return undefined
  return { role: 'user', content: texts.join('\n\n'), ...(images.length > 0 && { images }) }
}

/** One tool round: the assistant's thinking, text and calls, then each call's result. */
function assistantStep(step: readonly MessagePart[], out: OllamaMessage[]): void {
  let content = ''
  let thinking = ''
  const calls: { function: { name: string; arguments: unknown } }[] = []
  const results: OllamaMessage[] = []
  for (const part of step) {
    if (part.type === 'text') content += part.text
    else if (part.type === 'reasoning') thinking += part.text
    else if (part.type === 'tool' && !part.providerExecuted) {
      const outcome = toolOutcome(part)
      if (outcome === undefined) continue
      calls.push({ function: { name: part.name, arguments: part.input ?? {} } })
      results.push({ role: 'tool', content: outcomeText(outcome), tool_name: part.name })
    }
  }
  // A failed or stopped round with nothing in it is not sent.
  if (content === '' && calls.length === 0) return
  out.push({
    role: 'assistant',
    content,
    ...(thinking !== '' && { thinking }),
    ...(calls.length > 0 && { tool_calls: calls }),
  })
  out.push(...results)
}
