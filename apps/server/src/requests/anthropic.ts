/**
 * The Messages request, as `@anthropic-ai/sdk` sends it.
 * https://docs.anthropic.com/en/api/messages
 * Content blocks the simulated model cannot read (images, documents) are accepted and skipped.
 */
import { z } from 'zod'
import type { ApiError } from '../errors.js'
import type { SimRequest } from '../sim/model.js'
import { simulationSchema } from '../sim/options.js'
import { checkSize, type InputLimits, textOf } from './shared.js'

const block = z.looseObject({ type: z.string() })

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block).min(1, 'must hold at least one block')]),
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

export function checkMessagesRequest(request: MessagesRequest, limits: InputLimits): ApiError | undefined {
  const tools = request.tools ?? []
  for (const [index, item] of tools.entries()) {
    if ((item.type === undefined || item.type === 'custom') && item.input_schema === undefined)
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
  return checkSize(
    request.messages.map((item) => item.content),
    limits,
    textOf(request.system).length,
  )
}

export function simRequestFromMessages(request: MessagesRequest): SimRequest {
  const messages: SimRequest['messages'][number][] = []
  const system = textOf(request.system)
  if (system !== '') messages.push({ role: 'system', content: system })
  for (const item of request.messages) {
    if (typeof item.content === 'string') {
      messages.push({ role: item.role, content: item.content })
      continue
    }
    // Tool results travel in a user turn; the model reads them as their own turn, before any text.
    const results = item.content.filter((entry) => entry.type === 'tool_result')
    for (const result of results) messages.push({ role: 'tool', content: textOf(result.content) })
    const text = textOf(item.content.filter((entry) => entry.type === 'text'))
    if (text !== '' || results.length === 0) messages.push({ role: item.role, content: text })
  }
  const choice = request.tool_choice
  const thinking = request.thinking
  return {
    messages,
    tools: (request.tools ?? []).map((item) => ({
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
    toolCallPrefix: 'toolu_',
  }
}
