/**
 * Whole (non-streamed) answers in each provider's response shape, from the parts the model
 * produced. https://platform.openai.com/docs/api-reference/chat/object and
 * https://docs.anthropic.com/en/api/messages (the `Message` object).
 */
import type { FinishReason, StreamPart } from '@rivulet/core'

interface Collected {
  text: string
  reasoning: string
  toolCalls: { id: string; name: string; args: unknown }[]
  usage: { inputTokens?: number; outputTokens?: number; reasoningTokens?: number }
  finish: FinishReason | undefined
}

function collect(parts: readonly StreamPart[]): Collected {
  const out: Collected = { text: '', reasoning: '', toolCalls: [], usage: {}, finish: undefined }
  for (const part of parts) {
    switch (part.type) {
      case 'text-delta':
        out.text += part.text
        break
      case 'reasoning-delta':
        out.reasoning += part.text
        break
      case 'tool-call':
        out.toolCalls.push({ id: part.id, name: part.name, args: part.args })
        break
      case 'usage': {
        const { type: _, ...usage } = part
        out.usage = { ...out.usage, ...usage }
        break
      }
      case 'finish':
        out.finish = part.reason
        break
    }
  }
  return out
}

const OPENAI_FINISH: Partial<Record<FinishReason, string>> = { length: 'length', 'tool-calls': 'tool_calls' }
const ANTHROPIC_STOP: Partial<Record<FinishReason, string>> = { length: 'max_tokens', 'tool-calls': 'tool_use' }

export function chatCompletionBody(
  parts: readonly StreamPart[],
  meta: { id: string; model: string; created: number },
): Record<string, unknown> {
  const answer = collect(parts)
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: answer.text === '' && answer.toolCalls.length > 0 ? null : answer.text,
    refusal: null,
    annotations: [],
  }
  // DeepSeek's and vLLM's field, which core's decoder also reads in streams.
  if (answer.reasoning !== '') message.reasoning_content = answer.reasoning
  if (answer.toolCalls.length > 0)
    message.tool_calls = answer.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.args) },
    }))
  const input = answer.usage.inputTokens ?? 0
  const output = answer.usage.outputTokens ?? 0
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: OPENAI_FINISH[answer.finish ?? 'stop'] ?? 'stop' }],
    usage: {
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
      completion_tokens_details: { reasoning_tokens: answer.usage.reasoningTokens ?? 0 },
    },
  }
}

export function anthropicMessageBody(
  parts: readonly StreamPart[],
  meta: { id: string; model: string; signature: string },
): Record<string, unknown> {
  const answer = collect(parts)
  const content: Record<string, unknown>[] = []
  if (answer.reasoning !== '') content.push({ type: 'thinking', thinking: answer.reasoning, signature: meta.signature })
  if (answer.text !== '') content.push({ type: 'text', text: answer.text })
  for (const call of answer.toolCalls)
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.args })
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: ANTHROPIC_STOP[answer.finish ?? 'stop'] ?? 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: answer.usage.inputTokens ?? 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: answer.usage.outputTokens ?? 0,
    },
  }
}
