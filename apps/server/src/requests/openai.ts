/**
 * The Chat Completions request, as the official SDK and compatible clients send it.
 * https://platform.openai.com/docs/api-reference/chat/create
 * Fields the simulated model has no use for (temperature, logprobs, metadata…) are checked
 * where cheap and otherwise passed over, so SDK updates that add fields never break the server.
 * Message content is checked part by part, as the API does: a part of an unknown type, or one a
 * role cannot hold (an image from the assistant), is a 400.
 */
import { z } from 'zod'
import type { ApiError } from '../errors.js'
import { SIM_MODEL, type SimMessage, type SimRequest } from '../sim/model.js'
import { simulationSchema } from '../sim/options.js'
import { checkSize, type InputLimits, MAX_CONTENT_PARTS, MAX_TOOL_CALLS, parseArguments } from './shared.js'

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() })
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({
    url: z.string().regex(/^(https?:\/\/|data:image\/)/i, 'must be an http(s) URL or a data:image/… URL'),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
})
const audioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.enum(['wav', 'mp3']) }),
})
const filePart = z.looseObject({
  type: z.literal('file'),
  file: z
    .looseObject({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() })
    .refine((file) => file.file_data !== undefined || file.file_id !== undefined, 'must hold file_data or file_id'),
})
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() })

const parts = <T extends z.ZodType>(part: T) => z.array(part).max(MAX_CONTENT_PARTS)
const textContent = z.union([z.string(), parts(textPart)])
const userContent = z.union([
  z.string(),
  parts(z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart])),
])
const assistantContent = z.union([z.string(), parts(z.discriminatedUnion('type', [textPart, refusalPart]))])

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
})

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textContent, name: z.string().optional() }),
  z.looseObject({ role: z.literal('developer'), content: textContent, name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content: userContent, name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: assistantContent.nullish(),
    /** DeepSeek's and compatible servers' reasoning, sent back by some clients; the model does not read it. */
    reasoning_content: z.string().nullish(),
    refusal: z.string().nullish(),
    tool_calls: z.array(toolCall).max(MAX_TOOL_CALLS).nullish(),
    name: z.string().optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() }),
  z.looseObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }),
])

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
})

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
])

const fields = {
  messages: z.array(message).min(1, 'must hold at least one message'),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  n: z.literal(1, 'only 1 is supported').nullish(),
  seed: z.int().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  tools: z.array(tool).max(128).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.string().nullish(),
  rivulet: simulationSchema.optional(),
}

export const chatCompletionSchema = z.looseObject({
  model: z.string().min(1, 'must name a model'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  ...fields,
})

/** The WebSocket start frame's `request`: the same body; `model` defaults to the simulated model. */
export const socketRequestSchema = z.looseObject({
  model: z.string().min(1, 'must name a model').default(SIM_MODEL),
  ...fields,
})

export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>
export type SocketRequest = z.infer<typeof socketRequestSchema>
type ChatFields = Pick<ChatCompletionRequest, keyof typeof fields>
type ChatMessage = ChatFields['messages'][number]

/** Checks the schema cannot: sizes, tool calls paired with their results, and a named tool choice that names a tool. */
export function checkChatRequest(request: ChatFields, limits: InputLimits): ApiError | undefined {
  const choice = request.tool_choice
  if (typeof choice === 'object' && choice !== null) {
    const names = (request.tools ?? []).map((item) => item.function.name)
    if (!names.includes(choice.function.name))
      return {
        status: 400,
        message: `tool_choice: names "${choice.function.name}", which is not in tools`,
        param: 'tool_choice',
      }
  }
  let chars = 0
  for (const item of request.messages) chars += charsOf(item)
  return checkSize(request.messages.length, chars, limits) ?? checkToolPairing(request.messages)
}

/**
 * OpenAI's rule for tool calls in the history: an assistant message's `tool_calls` are followed
 * at once by one `tool` message per call, each naming its call by `tool_call_id`; a `tool`
 * message answers a call of the assistant message just before its run of `tool` messages.
 */
function checkToolPairing(messages: readonly ChatMessage[]): ApiError | undefined {
  let open: { index: number; ids: string[]; answered: Set<string> } | undefined
  const unanswered = (call: NonNullable<typeof open>): ApiError | undefined => {
    const missing = call.ids.filter((id) => !call.answered.has(id))
    if (missing.length === 0) return undefined
    return {
      status: 400,
      message: `messages[${call.index}].tool_calls: an assistant message with tool_calls must be followed by tool messages answering each tool_call_id; no tool message answers ${missing.join(', ')}`,
      param: `messages[${call.index}].tool_calls`,
    }
  }
  for (const [index, item] of messages.entries()) {
    if (item.role === 'tool') {
      if (open === undefined || !open.ids.includes(item.tool_call_id))
        return {
          status: 400,
          message: `messages[${index}].tool_call_id: "${item.tool_call_id}" answers no tool call; a tool message must follow the assistant message whose tool_calls hold its id`,
          param: `messages[${index}].tool_call_id`,
        }
      open.answered.add(item.tool_call_id)
      continue
    }
    const broken = open && unanswered(open)
    if (broken) return broken
    const calls = item.role === 'assistant' ? item.tool_calls : undefined
    open =
      calls && calls.length > 0 ? { index, ids: calls.map((call) => call.id), answered: new Set<string>() } : undefined
  }
  return open && unanswered(open)
}

/** The characters of a message the model reads: its text, tool arguments and results, not attached files. */
function charsOf(item: ChatMessage): number {
  let chars = 0
  const content = item.content
  if (typeof content === 'string') chars += content.length
  else if (Array.isArray(content))
    for (const part of content) {
      if (part.type === 'text') chars += part.text.length
      else if (part.type === 'refusal') chars += part.refusal.length
    }
  if (item.role === 'assistant') {
    chars += item.reasoning_content?.length ?? 0
    for (const call of item.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length
  }
  return chars
}

export function simRequestFromChat(request: ChatFields): SimRequest {
  const choice = request.tool_choice
  return {
    messages: request.messages.map(simMessage),
    tools: (request.tools ?? []).map(({ function: fn }) => ({
      name: fn.name,
      ...(fn.description !== undefined && { description: fn.description }),
      ...(fn.parameters !== undefined && { parameters: fn.parameters }),
    })),
    toolChoice: typeof choice === 'object' && choice !== null ? { name: choice.function.name } : (choice ?? 'auto'),
    parallelToolCalls: request.parallel_tool_calls ?? true,
    ...(maxTokensOf(request) !== undefined && { maxTokens: maxTokensOf(request) }),
    reasoning: typeof request.reasoning_effort === 'string' && !['none', 'minimal'].includes(request.reasoning_effort),
    ...(typeof request.seed === 'number' && { seed: request.seed }),
    toolCallPrefix: 'call_',
  }
}

function simMessage(item: ChatMessage): SimMessage {
  switch (item.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOfContent(item.content) }
    case 'user': {
      const files: string[] = []
      if (Array.isArray(item.content))
        for (const part of item.content) {
          if (part.type === 'image_url') files.push(mediaTypeOfUrl(part.image_url.url) ?? 'image')
          else if (part.type === 'input_audio') files.push(`audio/${part.input_audio.format}`)
          else if (part.type === 'file') files.push(mediaTypeOfUrl(part.file.file_data ?? '') ?? 'file')
        }
      return { role: 'user', content: textOfContent(item.content), ...(files.length > 0 && { files }) }
    }
    case 'assistant': {
      const calls = item.tool_calls ?? []
      return {
        role: 'assistant',
        content: textOfContent(item.content),
        ...(calls.length > 0 && {
          toolCalls: calls.map((call) => ({
            id: call.id,
            name: call.function.name,
            args: parseArguments(call.function.arguments),
          })),
        }),
      }
    }
    case 'tool':
      return { role: 'tool', content: textOfContent(item.content), toolCallId: item.tool_call_id }
    case 'function':
      return { role: 'tool', content: item.content ?? '' }
  }
}

function textOfContent(content: string | null | undefined | readonly { type: string; text?: string }[]): string {
  if (typeof content === 'string') return content
  if (!content) return ''
  return content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('\n')
}

/** The media type of a `data:` URL (`data:image/png;base64,…` → `image/png`). */
function mediaTypeOfUrl(url: string): string | undefined {
  return /^data:([\w.+-]+\/[\w.+-]+)[;,]/i.exec(url)?.[1]?.toLowerCase()
}

function maxTokensOf(request: ChatFields): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined
}
