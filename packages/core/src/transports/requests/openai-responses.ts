/**
 * The Responses API request body for a conversation.
 * https://platform.openai.com/docs/api-reference/responses/create
 *
 * The conversation goes as `input` items and nothing is stored on OpenAI's side (`store: false`):
 * reasoning goes back as `reasoning` items with their `encrypted_content`, which the request
 * asks for (`include: ['reasoning.encrypted_content']`). Each call goes back as the item type it
 * came as (`function_call`, `custom_tool_call`, `shell_call`, `local_shell_call`,
 * `apply_patch_call`, `mcp_approval_request`) with its output item after the round
 * (`function_call_output`, …, `mcp_approval_response`), linked by `call_id`. Tools OpenAI ran
 * itself (web search, code interpreter, image generation) are not sent: with nothing stored
 * there is nothing to refer to, and their results already shaped the text that follows them.
 */
import type { ChatMessage, MessagePart, ToolPart } from '../../session/message.js'
import type { TransportRequest } from '../transport.js'
import {
  dataUrl,
  decodedText,
  fileSource,
  isTextFile,
  jsonText,
  outcomeText,
  partsOf,
  stepsOf,
  type ToolOutcome,
  textOf,
  toolEntries,
  toolOutcome,
  unsupportedInput,
} from './history.js'

export type OpenAIResponsesInputContent =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail: 'auto' }
  | { type: 'input_file'; file_data: string; filename: string }
  | { type: 'input_file'; file_url: string }

type Phase = 'commentary' | 'final_answer'

export type OpenAIResponsesInputItem =
  | { role: 'system'; content: string }
  | { role: 'user'; content: OpenAIResponsesInputContent[] }
  | { role: 'assistant'; content: string; phase?: Phase }
  | {
      type: 'reasoning'
      id: string
      encrypted_content: string
      summary: { type: 'summary_text'; text: string }[]
    }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string }
  | { type: 'custom_tool_call'; call_id: string; name: string; input: string }
  | { type: 'custom_tool_call_output'; call_id: string; output: string }
  | { type: 'shell_call'; call_id: string; action: { commands: string[] } }
  | { type: 'shell_call_output'; call_id: string; output: ShellOutput[] }
  | { type: 'local_shell_call'; id: string; call_id: string; action: LocalShellAction; status: 'completed' }
  | { type: 'local_shell_call_output'; id: string; output: string }
  | { type: 'apply_patch_call'; call_id: string; operation: PatchOperation; status: 'completed' }
  | { type: 'apply_patch_call_output'; call_id: string; status: 'completed' | 'failed'; output: string }
  | { type: 'mcp_approval_request'; id: string; name: string; arguments: string; server_label: string }
  | { type: 'mcp_approval_response'; approval_request_id: string; approve: boolean; reason?: string }

/** `shell_call_output.output`: what each command printed and how it ended. */
export interface ShellOutput {
  stdout: string
  stderr: string
  outcome: { type: 'exit'; exit_code: number } | { type: 'timeout' }
}
interface LocalShellAction {
  type: 'exec'
  command: string[]
  env: Record<string, string>
}
type PatchOperation =
  | { type: 'create_file'; path: string; diff: string }
  | { type: 'update_file'; path: string; diff: string }
  | { type: 'delete_file'; path: string }

export interface OpenAIResponsesTool {
  type: 'function'
  name: string
  description?: string
  parameters: Record<string, unknown>
  /** Strict mode needs a schema written for it; a tool's plain JSON Schema is sent as it is. */
  strict: false
}

export interface OpenAIResponsesRequestBody {
  model: string
  input: OpenAIResponsesInputItem[]
  stream: true
  store: false
  include: ['reasoning.encrypted_content']
  max_output_tokens?: number
  tools?: OpenAIResponsesTool[]
}

const PROVIDER = 'The OpenAI Responses API'
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif'])
const TAKES = 'PNG, JPEG, WebP and GIF images, PDFs and text files'

/**
 * @example
 * openaiResponsesRequest({ messages, tools }, { model: 'gpt-5-mini' }) // { model, input: [...], store: false, … }
 */
export function openaiResponsesRequest(
  request: Pick<TransportRequest, 'messages' | 'tools'>,
  options: { model: string; maxTokens?: number },
): OpenAIResponsesRequestBody {
  const input: OpenAIResponsesInputItem[] = []
  for (const message of request.messages) {
    if (message.role === 'system') {
      const text = textOf(message)
      if (text !== '') input.push({ role: 'system', content: text })
    } else if (message.role === 'user') {
      const content = userContent(message)
      if (content.length > 0) input.push({ role: 'user', content })
    } else for (const step of stepsOf(message)) assistantStep(step, input)
  }
  const tools = toolEntries(request.tools).map(
    ([name, tool]): OpenAIResponsesTool => ({
      type: 'function',
      name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.inputSchema as Record<string, unknown>,
      strict: false,
    }),
  )
  return {
    model: options.model,
    input,
    stream: true,
    store: false,
    include: ['reasoning.encrypted_content'],
    ...(options.maxTokens !== undefined && { max_output_tokens: options.maxTokens }),
    ...(tools.length > 0 && { tools }),
  }
}

function userContent(message: ChatMessage): OpenAIResponsesInputContent[] {
  const content: OpenAIResponsesInputContent[] = []
  for (const part of partsOf(message)) {
    if (part.type === 'text' && part.text !== '') content.push({ type: 'input_text', text: part.text })
    else if (part.type === 'file') content.push(filePart(part))
  }
  return content
}

function filePart(part: Extract<MessagePart, { type: 'file' }>): OpenAIResponsesInputContent {
  const source = fileSource(part)
  const { mediaType } = source
  if (IMAGE_TYPES.has(mediaType)) {
    return { type: 'input_image', image_url: source.kind === 'url' ? source.url : dataUrl(source), detail: 'auto' }
  }
  if (mediaType === 'application/pdf') {
    if (source.kind === 'url') return { type: 'input_file', file_url: source.url }
    return { type: 'input_file', file_data: dataUrl(source), filename: source.filename ?? 'document.pdf' }
  }
  if (isTextFile(mediaType) && source.kind === 'data') return { type: 'input_text', text: decodedText(source.base64) }
  throw unsupportedInput(PROVIDER, `${mediaType} files${source.kind === 'url' ? ' by URL' : ''}`, TAKES)
}

/** One tool round: reasoning, text and calls in the order they came, then the calls' outputs. */
function assistantStep(step: readonly MessagePart[], out: OpenAIResponsesInputItem[]): void {
  const outputs: OpenAIResponsesInputItem[] = []
  for (const part of step) {
    switch (part.type) {
      case 'reasoning': {
        const openai = part.providerMetadata?.openai
        // Without its encrypted content a reasoning item cannot be sent when nothing is stored.
        if (typeof openai?.itemId !== 'string' || typeof openai.encryptedContent !== 'string') break
        out.push({
          type: 'reasoning',
          id: openai.itemId,
          encrypted_content: openai.encryptedContent,
          summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
        })
        break
      }
      case 'text': {
        if (part.text === '') break
        const phase = part.providerMetadata?.openai?.phase
        const previous = out[out.length - 1]
        // Deltas of one message that came as several parts go back as that one message.
        if (previous !== undefined && 'role' in previous && previous.role === 'assistant' && phase === undefined) {
          previous.content += part.text
          break
        }
        out.push({
          role: 'assistant',
          content: part.text,
          ...((phase === 'commentary' || phase === 'final_answer') && { phase }),
        })
        break
      }
      case 'tool': {
        if (part.providerExecuted) break
        const outcome = toolOutcome(part)
        if (outcome === undefined) break
        toolItems(part, outcome, out, outputs)
        break
      }
    }
  }
  out.push(...outputs)
}

/** A call as the item type it came as, and its output as that type's output item. */
function toolItems(
  part: ToolPart,
  outcome: ToolOutcome,
  calls: OpenAIResponsesInputItem[],
  outputs: OpenAIResponsesInputItem[],
): void {
  const openai = part.providerMetadata?.openai
  const itemId = typeof openai?.itemId === 'string' ? openai.itemId : part.toolCallId
  const call_id = part.toolCallId
  const output = outcomeText(outcome)
  switch (openai?.itemType) {
    case 'custom_tool_call':
      calls.push({ type: 'custom_tool_call', call_id, name: part.name, input: jsonInput(part.input) })
      outputs.push({ type: 'custom_tool_call_output', call_id, output })
      return
    case 'shell_call':
      calls.push({ type: 'shell_call', call_id, action: part.input as { commands: string[] } })
      outputs.push({ type: 'shell_call_output', call_id, output: shellOutput(outcome) })
      return
    case 'local_shell_call':
      calls.push({
        type: 'local_shell_call',
        id: itemId,
        call_id,
        action: part.input as LocalShellAction,
        status: 'completed',
      })
      // Its output names the call by the call's id.
      outputs.push({ type: 'local_shell_call_output', id: call_id, output })
      return
    case 'apply_patch_call':
      calls.push({ type: 'apply_patch_call', call_id, operation: part.input as PatchOperation, status: 'completed' })
      outputs.push({
        type: 'apply_patch_call_output',
        call_id,
        status: outcome.type === 'output' ? 'completed' : 'failed',
        output,
      })
      return
    case 'mcp_approval_request': {
      calls.push({
        type: 'mcp_approval_request',
        id: itemId,
        name: part.name,
        arguments: JSON.stringify(part.input ?? {}),
        server_label: typeof openai?.serverLabel === 'string' ? openai.serverLabel : '',
      })
      const approve = outcome.type === 'output' && outcome.output !== false
      outputs.push({
        type: 'mcp_approval_response',
        approval_request_id: itemId,
        approve,
        ...(!approve && outcome.type !== 'output' && { reason: outcome.text }),
      })
      return
    }
    default:
      calls.push({ type: 'function_call', call_id, name: part.name, arguments: JSON.stringify(part.input ?? {}) })
      outputs.push({ type: 'function_call_output', call_id, output })
  }
}

/** A custom tool's input is free text. */
function jsonInput(input: unknown): string {
  return jsonText(input ?? '')
}

/** What an app returns for a shell call: the output list as OpenAI reads it, or text read as one command's stdout. */
function shellOutput(outcome: ToolOutcome): ShellOutput[] {
  if (outcome.type === 'output' && Array.isArray(outcome.output)) return outcome.output as ShellOutput[]
  if (outcome.type === 'output') {
    return [{ stdout: jsonText(outcome.output), stderr: '', outcome: { type: 'exit', exit_code: 0 } }]
  }
  return [{ stdout: '', stderr: outcome.text, outcome: { type: 'exit', exit_code: 1 } }]
}
