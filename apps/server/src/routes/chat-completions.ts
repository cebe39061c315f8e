/** `POST /v1/chat/completions`: OpenAI Chat Completions, simulated or relayed upstream. */
import { randomBytes } from 'node:crypto'
import { openaiChatCompletion, RESUMABLE_HEADER } from '@rivulet/core'
import { readRequest } from '../body.js'
import type { ServerContext } from '../context.js'
import { errorResponse } from '../errors.js'
import {
  type AppContext,
  answerJson,
  checkPace,
  clientOfRequest,
  httpFault,
  isResumable,
  requestSimulation,
  simulatedSource,
  streamRoute,
  streamSse,
  takeSlot,
} from '../generate.js'
import { chatCompletionSchema, checkChatRequest, simRequestFromChat } from '../requests/openai.js'
import { planAnswer, SIM_MODEL } from '../sim/model.js'
import { sseWire } from '../streams/wire.js'
import { relayChat } from '../upstream.js'

export function chatCompletions(ctx: ServerContext) {
  return streamRoute(ctx, handle)
}

async function handle(c: AppContext, ctx: ServerContext, requestedId: string | undefined): Promise<Response> {
  const read = await readRequest(c.req.raw, ctx.limits.maxBodyBytes, chatCompletionSchema)
  if (!read.ok) return errorResponse('openai', read.error)
  const request = read.value
  const invalid = checkChatRequest(request, ctx.limits)
  if (invalid) return errorResponse('openai', invalid)
  const simulation = requestSimulation(c, request.rivulet)
  if (!simulation.ok) return errorResponse('openai', simulation.error)
  const resumable = isResumable(c.req.header(RESUMABLE_HEADER)) || simulation.value.resumable === true

  if (request.model !== SIM_MODEL) {
    if (ctx.upstream === undefined)
      return errorResponse('openai', {
        status: 404,
        message: `The model \`${request.model}\` does not exist. This server serves \`${SIM_MODEL}\`; set RIVULET_UPSTREAM_URL to relay other models.`,
        param: 'model',
        code: 'model_not_found',
      })
    return relayChat(c, ctx, read.raw as Record<string, unknown>, { resumable, requestedId })
  }

  const fault = httpFault(simulation.value)
  if (fault) return errorResponse('openai', fault)
  const plan = planAnswer(simRequestFromChat(request), simulation.value)
  const tooSlow = checkPace(ctx, plan, simulation.value)
  if (tooSlow) return errorResponse('openai', tooSlow)
  const slot = takeSlot(ctx, clientOfRequest(c))
  if (!slot.ok) return errorResponse('openai', slot.error)

  const messageId = `chatcmpl-${randomBytes(12).toString('base64url')}`
  const created = Math.floor(Date.now() / 1000)
  const meta = { messageId, model: request.model }

  if (request.stream) {
    const wire = sseWire({
      protocol: 'openai-chat',
      id: messageId,
      model: request.model,
      includeUsage: request.stream_options?.include_usage === true,
      created,
    })
    return streamSse(c, ctx, {
      flavor: 'openai',
      format: 'openai-chat',
      resumable,
      requestedId,
      release: slot.release,
      wire,
      source: simulatedSource(ctx, plan, simulation.value, meta, wire),
    })
  }
  return answerJson(c, ctx, {
    flavor: 'openai',
    release: slot.release,
    plan,
    simulation: simulation.value,
    ...meta,
    body: (parts) => openaiChatCompletion(parts, { id: messageId, model: request.model, created }),
  })
}
