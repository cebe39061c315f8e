/**
 * The Chat Completions request, as the official SDK and compatible clients send it.
 * https://platform.openai.com/docs/api-reference/chat/create
 * Fields the simulated model has no use for (temperature, logprobs, metadata…) are checked
 * where cheap and otherwise passed over, so SDK updates that add fields never break the server.
 */
import { z } from 'zod'
import type { ApiError } from '../errors.js'
import { SIM_MODEL, type SimRequest } from '../sim/model.js'
import { simulationSchema } from '../sim/options.js'
import { type Content, checkSize, type InputLimits, textOf } from './shared.js'

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() })
const content = z.union([z.string(), z.array(contentPart)])

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
})

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content, name: z.string().optional() }),
  z.looseObject({ role: z.literal('developer'), content, name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content, name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: content.nullish(),
    tool_calls: z.array(toolCall).optional(),
    name: z.string().optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content, tool_call_id: z.string() }),
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

/** Checks the schema cannot: sizes, and a named tool choice that names a tool. */
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
  return checkSize(
    request.messages.map((item) => item.content as Content),
    limits,
  )
}

export function simRequestFromChat(request: ChatFields): SimRequest {
  const choice = request.tool_choice
  return {
    messages: request.messages.map((item) => ({
      role:
        item.role === 'developer'
          ? 'system'
          : item.role === 'function'
            ? 'tool'
            : (item.role as 'system' | 'user' | 'assistant' | 'tool'),
      content: textOf(item.content as Content),
    })),
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

function maxTokensOf(request: ChatFields): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined
}
