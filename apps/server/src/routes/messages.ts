/** `POST /v1/messages` (and `count_tokens`): the Anthropic Messages API, simulated. */
import { randomBytes } from 'node:crypto'
import { anthropicMessage, RESUMABLE_HEADER } from '@rivulet/core'
import { z } from 'zod'
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
import { checkMessagesRequest, messagesSchema, simRequestFromMessages } from '../requests/anthropic.js'
import { planAnswer, SIM_MODEL } from '../sim/model.js'
import { sseWire } from '../streams/wire.js'

/** The opaque signature at the end of each thinking block. */
const SIGNATURE = 'cml2dWxldC1zaW0='

const unknownModel = (model: string) =>
  errorResponse('anthropic', { status: 404, message: `model: ${model} (this server serves ${SIM_MODEL})` })

export function messages(ctx: ServerContext) {
  return streamRoute(ctx, handle)
}

async function handle(c: AppContext, ctx: ServerContext, requestedId: string | undefined): Promise<Response> {
  const read = await readRequest(c.req.raw, ctx.limits.maxBodyBytes, messagesSchema)
  if (!read.ok) return errorResponse('anthropic', read.error)
  const request = read.value
  const invalid = checkMessagesRequest(request, ctx.limits)
  if (invalid) return errorResponse('anthropic', invalid)
  if (request.model !== SIM_MODEL) return unknownModel(request.model)
  const simulation = requestSimulation(c, request.rivulet)
  if (!simulation.ok) return errorResponse('anthropic', simulation.error)
  const fault = httpFault(simulation.value)
  if (fault) return errorResponse('anthropic', fault)
  const plan = planAnswer(simRequestFromMessages(request), simulation.value)
  const tooSlow = checkPace(ctx, plan, simulation.value)
  if (tooSlow) return errorResponse('anthropic', tooSlow)
  const slot = takeSlot(ctx, clientOfRequest(c))
  if (!slot.ok) return errorResponse('anthropic', slot.error)

  const messageId = `msg_${randomBytes(12).toString('base64url')}`
  const meta = { messageId, model: request.model }

  if (request.stream) {
    const wire = sseWire({ protocol: 'anthropic', id: messageId, model: request.model, includeUsage: true, created: 0 })
    return streamSse(c, ctx, {
      flavor: 'anthropic',
      format: 'anthropic',
      resumable: isResumable(c.req.header(RESUMABLE_HEADER)) || simulation.value.resumable === true,
      requestedId,
      release: slot.release,
      wire,
      source: simulatedSource(ctx, plan, simulation.value, meta, wire),
    })
  }
  return answerJson(c, ctx, {
    flavor: 'anthropic',
    release: slot.release,
    plan,
    simulation: simulation.value,
    ...meta,
    body: (parts) => anthropicMessage(parts, { id: messageId, model: request.model, signature: SIGNATURE }),
  })
}

const countTokensSchema = messagesSchema.extend({ max_tokens: z.int().min(1).optional() })

/** `POST /v1/messages/count_tokens`: the prompt's size as the simulated model counts it. */
export function countTokens(ctx: ServerContext) {
  return async (c: AppContext): Promise<Response> => {
    const read = await readRequest(c.req.raw, ctx.limits.maxBodyBytes, countTokensSchema)
    if (!read.ok) return errorResponse('anthropic', read.error)
    if (read.value.model !== SIM_MODEL) return unknownModel(read.value.model)
    const request = { ...read.value, max_tokens: read.value.max_tokens ?? 1 }
    const invalid = checkMessagesRequest({ ...request, thinking: undefined }, ctx.limits)
    if (invalid) return errorResponse('anthropic', invalid)
    const plan = planAnswer(simRequestFromMessages(request), { tokens: 0 })
    return c.json({ input_tokens: plan.inputTokens })
  }
}
