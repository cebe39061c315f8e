/**
 * The Messages API request body for a conversation.
 * https://docs.anthropic.com/en/api/messages
 *
 * System messages become `system`. Each tool round of an assistant message is one `assistant`
 * turn, its thinking blocks first with their signatures (redacted thinking as it came), then its
 * text and `tool_use` blocks; the results follow in the next `user` turn as `tool_result` blocks,
 * before anything else in it, with `is_error` for failed and denied calls.
 * https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 * Tools Anthropic ran itself (web search, code execution, MCP) go back inside the assistant turn
 * as the `server_tool_use` / `mcp_tool_use` block and its result block, as Anthropic sent them.
 * Turns of one role in a row are merged into one, as the API would.
 */
import type { ChatMessage, MessagePart, ToolPart } from '../../session/message.js'
import type { TransportRequest } from '../transport.js'
import {
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

type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp'

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | {
      type: 'image'
      source: { type: 'base64'; media_type: ImageMediaType; data: string } | { type: 'url'; url: string }
    }
  | {
      type: 'document'
      source:
        | { type: 'base64'; media_type: 'application/pdf'; data: string }
        | { type: 'text'; media_type: 'text/plain'; data: string }
        | { type: 'url'; url: string }
      title?: string
    }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown; caller?: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean }
  | { type: 'server_tool_use'; id: string; name: string; input: unknown }
  | { type: 'mcp_tool_use'; id: string; name: string; server_name: string; input: unknown }
  /** `web_search_tool_result`, `code_execution_tool_result`, … as Anthropic sent them. */
  | { type: `${string}_tool_result`; tool_use_id: string; content: unknown; is_error?: boolean }

export interface AnthropicMessageParam {
  role: 'user' | 'assistant'
  content: AnthropicContentBlock[]
}

export interface AnthropicTool {
  name: string
  description?: string
  input_schema: { type: 'object'; [key: string]: unknown }
}

export interface AnthropicRequestBody {
  model: string
  max_tokens: number
  stream: true
  system?: string
  messages: AnthropicMessageParam[]
  tools?: AnthropicTool[]
}

const PROVIDER = 'Anthropic'
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])
const TAKES = 'JPEG, PNG, GIF and WebP images, PDFs and plain text'

/**
 * @example
 * anthropicRequest({ messages, tools }, { model: 'claude-sonnet-4-5', maxTokens: 1024 })
 */
export function anthropicRequest(
  request: Pick<TransportRequest, 'messages' | 'tools'>,
  options: { model: string; maxTokens: number },
): AnthropicRequestBody {
  const system: string[] = []
  const messages: AnthropicMessageParam[] = []
  const push = (role: 'user' | 'assistant', content: AnthropicContentBlock[]) => {
    if (content.length === 0) return
    const last = messages[messages.length - 1]
    if (last?.role === role) last.content.push(...content)
    else messages.push({ role, content })
  }
  for (const message of request.messages) {
    if (message.role === 'system') {
      const text = textOf(message)
      if (text !== '') system.push(text)
    } else if (message.role === 'user') push('user', userContent(message))
    else {
      for (const step of stepsOf(message)) {
        const { content, results } = assistantStep(step)
        // A failed or stopped round with nothing in it is not sent: the API rejects empty turns.
        if (content.length === 0) continue
        push('assistant', content)
        push('user', results)
      }
    }
  }
  const tools = toolEntries(request.tools).map(
    ([name, tool]): AnthropicTool => ({
      name,
      ...(tool.description !== undefined && { description: tool.description }),
      input_schema: tool.inputSchema as AnthropicTool['input_schema'],
    }),
  )
  return {
    model: options.model,
    max_tokens: options.maxTokens,
    stream: true,
    ...(system.length > 0 && { system: system.join('\n\n') }),
    messages,
    ...(tools.length > 0 && { tools }),
  }
}

function userContent(message: ChatMessage): AnthropicContentBlock[] {
  const content: AnthropicContentBlock[] = []
  for (const part of partsOf(message)) {
    if (part.type === 'text' && part.text !== '') content.push({ type: 'text', text: part.text })
    else if (part.type === 'file') content.push(fileBlock(part))
  }
  return content
}

function fileBlock(part: Extract<MessagePart, { type: 'file' }>): AnthropicContentBlock {
  const source = fileSource(part)
  const { mediaType } = source
  const title = source.filename !== undefined && { title: source.filename }
  if (IMAGE_TYPES.has(mediaType)) {
    return {
      type: 'image',
      source:
        source.kind === 'url'
          ? { type: 'url', url: source.url }
          : { type: 'base64', media_type: mediaType as ImageMediaType, data: source.base64 },
    }
  }
  if (mediaType === 'application/pdf') {
    return {
      type: 'document',
      source:
        source.kind === 'url'
          ? { type: 'url', url: source.url }
          : { type: 'base64', media_type: 'application/pdf', data: source.base64 },
      ...title,
    }
  }
  if (isTextFile(mediaType) && source.kind === 'data') {
    return {
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: decodedText(source.base64) },
      ...title,
    }
  }
  throw unsupportedInput(PROVIDER, `${mediaType} files${source.kind === 'url' ? ' by URL' : ''}`, TAKES)
}

/** One tool round: the assistant turn's blocks (thinking first) and the results for the user turn after it. */
function assistantStep(step: readonly MessagePart[]): {
  content: AnthropicContentBlock[]
  results: AnthropicContentBlock[]
} {
  const thinking: AnthropicContentBlock[] = []
  const content: AnthropicContentBlock[] = []
  const results: AnthropicContentBlock[] = []
  for (const part of step) {
    if (part.type === 'reasoning') {
      const meta = part.providerMetadata?.anthropic
      // Thinking without its signature (cut off, or another provider's) is rejected: left out.
      if (typeof meta?.redactedData === 'string') thinking.push({ type: 'redacted_thinking', data: meta.redactedData })
      else if (typeof meta?.signature === 'string')
        thinking.push({ type: 'thinking', thinking: part.text, signature: meta.signature })
    } else if (part.type === 'text') {
      if (part.text !== '') content.push({ type: 'text', text: part.text })
    } else if (part.type === 'tool') {
      if (part.providerExecuted) content.push(...serverTool(part))
      else {
        const outcome = toolOutcome(part)
        if (outcome === undefined) continue
        const caller = part.providerMetadata?.anthropic?.caller
        content.push({
          type: 'tool_use',
          id: part.toolCallId,
          name: part.name,
          input: part.input ?? {},
          ...(caller !== undefined && { caller }),
        })
        results.push({
          type: 'tool_result',
          tool_use_id: part.toolCallId,
          content: outcomeText(outcome),
          ...(outcome.type !== 'output' && { is_error: true }),
        })
      }
    }
  }
  // Thinking alone (an answer stopped before it said anything) is not a turn worth sending.
  return { content: content.length === 0 ? [] : [...thinking, ...content], results }
}

/** A tool Anthropic ran: its use block and its result block, both in the assistant turn. */
function serverTool(part: ToolPart): AnthropicContentBlock[] {
  if (part.state !== 'output-available' && part.state !== 'output-error') return []
  const serverName = part.providerMetadata?.anthropic?.serverName
  if (typeof serverName === 'string') {
    return [
      { type: 'mcp_tool_use', id: part.toolCallId, name: part.name, server_name: serverName, input: part.input ?? {} },
      {
        type: 'mcp_tool_result',
        tool_use_id: part.toolCallId,
        content: part.output ?? part.errorText ?? '',
        ...(part.state === 'output-error' && { is_error: true }),
      },
    ]
  }
  // Every tool search variant (`tool_search_tool_bm25`, `…_regex`) answers with one block type.
  const type: `${string}_tool_result` = part.name.startsWith('tool_search_tool')
    ? 'tool_search_tool_result'
    : `${part.name}_tool_result`
  const isErrorContent =
    typeof part.output === 'object' &&
    part.output !== null &&
    typeof (part.output as { type?: unknown }).type === 'string' &&
    (part.output as { type: string }).type.endsWith('_error')
  const content =
    part.state === 'output-error' && !isErrorContent
      ? { type: `${type}_error`, error_code: 'unavailable' }
      : part.output
  return [
    { type: 'server_tool_use', id: part.toolCallId, name: part.name, input: part.input ?? {} },
    { type, tool_use_id: part.toolCallId, content },
  ]
}
