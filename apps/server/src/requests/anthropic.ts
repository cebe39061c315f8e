/**
 * The Messages request, as `@anthropic-ai/sdk` sends it.
 * https://docs.anthropic.com/en/api/messages
 *
 * Content blocks of the types below are checked field by field, as the API does; blocks of
 * other types (MCP, code execution, search results…) are taken as they are, so SDK updates that
 * add block types never break the server. The history is checked as the API checks it: every
 * `tool_use` answered by a `tool_result` in the next user turn and no `tool_result` without its
 * `tool_use`, no empty turns, and with thinking on, the assistant turn of an unfinished tool
 * round starts with its thinking.
 */
import { z } from 'zod'
import type { ApiError } from '../errors.js'
import type { SimMessage, SimRequest } from '../sim/model.js'
import { simulationSchema } from '../sim/options.js'
import { fieldPath } from '../validation.js'
import { checkSize, type InputLimits, MAX_CONTENT_PARTS, MAX_RESULT_BLOCKS, textOf } from './shared.js'

const textBlock = z.looseObject({
  type: z.literal('text'),
  text: z.string(),
  citations: z.array(z.unknown()).nullish(),
})
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('base64'),
      media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
      data: z.string().min(1),
    }),
    z.looseObject({ type: z.literal('url'), url: z.string().regex(/^https?:\/\//i, 'must be an http(s) URL') }),
    z.looseObject({ type: z.literal('file'), file_id: z.string() }),
  ]),
})
const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.literal('application/pdf'), data: z.string().min(1) }),
    z.looseObject({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string().regex(/^https?:\/\//i, 'must be an http(s) URL') }),
    z.looseObject({
      type: z.literal('content'),
      content: z.union([z.string(), z.array(z.unknown()).max(MAX_RESULT_BLOCKS)]),
    }),
    z.looseObject({ type: z.literal('file'), file_id: z.string() }),
  ]),
  title: z.string().nullish(),
  context: z.string().nullish(),
})
const thinkingBlock = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().min(1, 'must be the signature the thinking block came with'),
})
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string().min(1) })
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
})
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union([
      z.string(),
      z.array(z.looseObject({ type: z.enum(['text', 'image', 'document', 'search_result']) })).max(MAX_RESULT_BLOCKS),
    ])
    .optional(),
  is_error: z.boolean().nullish(),
})
const serverToolUseBlock = z.looseObject({
  type: z.literal('server_tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
})
const webSearchResultBlock = z.looseObject({
  type: z.literal('web_search_tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([
    z
      .array(
        z.looseObject({
          type: z.literal('web_search_result'),
          url: z.string(),
          title: z.string(),
          encrypted_content: z.string(),
          page_age: z.string().nullish(),
        }),
      )
      .max(MAX_RESULT_BLOCKS),
    z.looseObject({ type: z.literal('web_search_tool_result_error'), error_code: z.string() }),
  ]),
})

const KNOWN_BLOCKS: Record<string, z.ZodType> = {
  text: textBlock,
  image: imageBlock,
  document: documentBlock,
  thinking: thinkingBlock,
  redacted_thinking: redactedThinkingBlock,
  tool_use: toolUseBlock,
  tool_result: toolResultBlock,
  server_tool_use: serverToolUseBlock,
  web_search_tool_result: webSearchResultBlock,
}

/**
 * The blocks this server reads, as their schemas type them. Blocks of other types pass
 * validation too; they are only ever told apart by `type`, so they never reach a field read.
 */
type ContentBlock =
  | z.infer<typeof textBlock>
  | z.infer<typeof imageBlock>
  | z.infer<typeof documentBlock>
  | z.infer<typeof thinkingBlock>
  | z.infer<typeof redactedThinkingBlock>
  | z.infer<typeof toolUseBlock>
  | z.infer<typeof toolResultBlock>
  | z.infer<typeof serverToolUseBlock>
  | z.infer<typeof webSearchResultBlock>

/** A block of a known type is checked by its own schema, the problem reported at its own field. */
const block = z.looseObject({ type: z.string() }).superRefine((value, ctx) => {
  const schema = KNOWN_BLOCKS[value.type]
  if (schema === undefined) return
  const result = schema.safeParse(value)
  if (result.success) return
  for (const issue of result.error.issues) {
    const missing = issue.code === 'invalid_type' && issue.input === undefined
    ctx.addIssue({ code: 'custom', message: missing ? 'is required' : issue.message, path: issue.path })
  }
})

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block).min(1, 'must hold at least one block').max(MAX_CONTENT_PARTS)]),
})

const tool = z.looseObject({
  /** Server tools (web search, code execution…) carry a versioned `type` and no schema. */
  type: z.string().optional(),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, 'must be 1 to 128 letters, digits, underscores or dashes'),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }).optional(),
})

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
])

const thinking = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.int().min(1024) }),
  z.looseObject({ type: z.literal('adaptive') }),
  z.looseObject({ type: z.literal('disabled') }),
])

export const messagesSchema = z.looseObject({
  model: z.string().min(1, 'must name a model'),
  max_tokens: z.int().min(1),
  messages: z.array(message).min(1, 'must hold at least one message'),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() }))]).optional(),
  stream: z.boolean().optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  rivulet: simulationSchema.optional(),
})

export type MessagesRequest = z.infer<typeof messagesSchema>
type Message = { role: 'user' | 'assistant'; content: string | ContentBlock[] }

/** A message's blocks, a string content read as one text block. */
function blocksOf(item: Message): ContentBlock[] {
  return typeof item.content === 'string' ? [{ type: 'text', text: item.content }] : item.content
}

/** Whether a tool is one Anthropic runs itself (a versioned `type` such as `web_search_20250305`). */
function isServerTool(item: { type?: string | undefined }): boolean {
  return item.type !== undefined && item.type !== 'custom'
}

export function checkMessagesRequest(request: MessagesRequest, limits: InputLimits): ApiError | undefined {
  const tools = request.tools ?? []
  for (const [index, item] of tools.entries()) {
    if (!isServerTool(item) && item.input_schema === undefined)
      return {
        status: 400,
        message: `tools[${index}].input_schema: is required`,
        param: `tools[${index}].input_schema`,
      }
  }
  const choice = request.tool_choice
  if (choice?.type === 'tool' && !tools.some((item) => item.name === choice.name))
    return { status: 400, message: `tool_choice.name: "${choice.name}" is not in tools`, param: 'tool_choice.name' }
  if (request.thinking?.type === 'enabled' && request.thinking.budget_tokens >= request.max_tokens)
    return {
      status: 400,
      message: 'thinking.budget_tokens: must be less than max_tokens',
      param: 'thinking.budget_tokens',
    }
  const messages = request.messages as Message[]
  let chars = textOf(request.system).length
  for (const item of messages) for (const entry of blocksOf(item)) chars += charsOf(entry)
  return (
    checkSize(messages.length, chars, limits) ??
    checkTurns(messages) ??
    checkToolPairing(messages) ??
    (request.thinking?.type === 'enabled' || request.thinking?.type === 'adaptive'
      ? checkThinkingFirst(messages)
      : undefined)
  )
}

const invalid = (path: readonly (string | number)[], message: string): ApiError => {
  const param = fieldPath(path)
  return { status: 400, message: `${param}: ${message}`, param }
}

/** Blocks each role may hold, and turns the API refuses as empty. */
function checkTurns(messages: readonly Message[]): ApiError | undefined {
  for (const [index, item] of messages.entries()) {
    const final = index === messages.length - 1 && item.role === 'assistant'
    if (item.content === '' && !final)
      return invalid(
        ['messages', index],
        'all messages must have non-empty content except for the optional final assistant message',
      )
    if (typeof item.content === 'string') continue
    for (const [at, entry] of item.content.entries()) {
      const path = ['messages', index, 'content', at]
      if (entry.type === 'text' && entry.text === '') return invalid(path, 'text content blocks must be non-empty')
      const assistantOnly = ['tool_use', 'server_tool_use', 'thinking', 'redacted_thinking', 'web_search_tool_result']
      if (item.role === 'user' && assistantOnly.includes(entry.type))
        return invalid([...path, 'type'], `a user message cannot hold a \`${entry.type}\` block`)
      if (item.role === 'assistant' && ['tool_result', 'image', 'document'].includes(entry.type))
        return invalid([...path, 'type'], `an assistant message cannot hold a \`${entry.type}\` block`)
    }
    const last = item.content.at(-1)
    if (final && last?.type === 'text' && /\s$/.test(last.text))
      return invalid(['messages', index], 'final assistant content cannot end with trailing whitespace')
  }
  return undefined
}

/**
 * Every `tool_use` is answered by a `tool_result` in the very next (user) message, and every
 * `tool_result` answers a `tool_use` of the message before it. A tool Anthropic ran itself
 * (`server_tool_use`) has its result block in the same assistant message.
 */
function checkToolPairing(messages: readonly Message[]): ApiError | undefined {
  let asked = new Set<string>()
  for (const [index, item] of messages.entries()) {
    const blocks = blocksOf(item)
    if (item.role === 'user') {
      const answered = new Set<string>()
      for (const [at, entry] of blocks.entries()) {
        if (entry.type !== 'tool_result') continue
        if (!asked.has(entry.tool_use_id))
          return invalid(
            ['messages', index, 'content', at],
            `unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${entry.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          )
        answered.add(entry.tool_use_id)
      }
      const missing = [...asked].filter((id) => !answered.has(id))
      if (missing.length > 0) return unanswered(index - 1, missing)
      asked = new Set()
      continue
    }
    if (asked.size > 0) return unanswered(index - 1, [...asked])
    const serverCalls = new Set<string>()
    for (const [at, entry] of blocks.entries()) {
      if (entry.type === 'tool_use') asked.add(entry.id)
      else if (entry.type === 'server_tool_use') serverCalls.add(entry.id)
      else if (entry.type === 'web_search_tool_result') {
        if (!serverCalls.delete(entry.tool_use_id))
          return invalid(
            ['messages', index, 'content', at],
            `\`web_search_tool_result\` block with tool_use_id ${entry.tool_use_id} follows no \`server_tool_use\` block with that id`,
          )
      }
    }
    const [open] = serverCalls
    if (open !== undefined && !blocks.some((entry) => entry.type.endsWith('_tool_result')))
      return invalid(
        ['messages', index],
        `\`server_tool_use\` block ${open} was found without its result block in the same message`,
      )
  }
  if (asked.size > 0) return unanswered(messages.length - 1, [...asked])
  return undefined
}

function unanswered(index: number, ids: readonly string[]): ApiError {
  return invalid(
    ['messages', index],
    `\`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
  )
}

/**
 * With thinking on, the assistant turn whose tool results the request carries starts with its
 * thinking, signature included, as Anthropic requires to go on with a tool round.
 * https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
function checkThinkingFirst(messages: readonly Message[]): ApiError | undefined {
  const last = messages.at(-1)
  if (last?.role !== 'user' || !blocksOf(last).some((entry) => entry.type === 'tool_result')) return undefined
  const index = messages.length - 2
  const first = messages[index] && blocksOf(messages[index] as Message)[0]
  if (first === undefined || first.type === 'thinking' || first.type === 'redacted_thinking') return undefined
  return invalid(
    ['messages', index, 'content', 0, 'type'],
    `Expected \`thinking\` or \`redacted_thinking\`, but found \`${first.type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceding the lastmost set of \`tool_use\` and \`tool_result\` blocks). Include the thinking blocks of earlier turns, or disable \`thinking\`.`,
  )
}

/** Characters the model reads in a block: text, thinking, tool input and results; not file bytes. */
function charsOf(entry: ContentBlock): number {
  switch (entry.type) {
    case 'text':
      return entry.text.length
    case 'thinking':
      return entry.thinking.length
    case 'tool_use':
    case 'server_tool_use':
      return entry.name.length + JSON.stringify(entry.input).length
    case 'tool_result':
      return textOf(entry.content).length
    case 'document':
      return entry.source.type === 'text' ? entry.source.data.length : 0
    default:
      return 0
  }
}

export function simRequestFromMessages(request: MessagesRequest): SimRequest {
  const messages: SimMessage[] = []
  const system = textOf(request.system)
  if (system !== '') messages.push({ role: 'system', content: system })
  for (const item of request.messages as Message[]) {
    const blocks = blocksOf(item)
    const text = blocks
      .filter((entry) => entry.type === 'text')
      .map((entry) => entry.text)
      .join('\n')
    if (item.role === 'assistant') {
      const toolCalls = blocks
        .filter((entry) => entry.type === 'tool_use')
        .map((entry) => ({ id: entry.id, name: entry.name, args: entry.input }))
      messages.push({ role: 'assistant', content: text, ...(toolCalls.length > 0 && { toolCalls }) })
      continue
    }
    // Tool results travel in a user turn; the model reads them as their own turns, before any text.
    let results = 0
    for (const entry of blocks) {
      if (entry.type !== 'tool_result') continue
      results++
      messages.push({
        role: 'tool',
        content: textOf(entry.content),
        toolCallId: entry.tool_use_id,
        ...(entry.is_error === true && { isError: true }),
      })
    }
    const files: string[] = []
    for (const entry of blocks) {
      if (entry.type !== 'image' && entry.type !== 'document') continue
      const { source } = entry
      files.push(source.type === 'base64' || source.type === 'text' ? source.media_type : entry.type)
    }
    if (text !== '' || files.length > 0 || results === 0)
      messages.push({ role: 'user', content: text, ...(files.length > 0 && { files }) })
  }
  const choice = request.tool_choice
  const thinking = request.thinking
  const tools = request.tools ?? []
  return {
    messages,
    tools: tools
      .filter((item) => !isServerTool(item))
      .map((item) => ({
        name: item.name,
        ...(item.description !== undefined && { description: item.description }),
        ...(item.input_schema !== undefined && { parameters: item.input_schema }),
      })),
    toolChoice:
      choice === undefined || choice.type === 'auto'
        ? 'auto'
        : choice.type === 'any'
          ? 'required'
          : choice.type === 'none'
            ? 'none'
            : { name: choice.name },
    parallelToolCalls: !(
      choice !== undefined &&
      'disable_parallel_tool_use' in choice &&
      choice.disable_parallel_tool_use
    ),
    maxTokens: request.max_tokens,
    reasoning: thinking?.type === 'enabled' || thinking?.type === 'adaptive',
    ...(thinking?.type === 'enabled' && { reasoningBudget: thinking.budget_tokens }),
    ...(tools.some((item) => item.type?.startsWith('web_search')) && { webSearch: true }),
    toolCallPrefix: 'toolu_',
  }
}
