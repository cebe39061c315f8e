/**
 * `GET /v1/models` in a shape both SDKs read: OpenAI's `{ object: 'list', data: [{ id, object,
 * created, owned_by }] }` and Anthropic's `{ data: [{ type, id, display_name, created_at }],
 * has_more, first_id, last_id }` at once (each ignores the other's fields).
 */
import type { ServerContext } from '../context.js'
import { errorResponse } from '../errors.js'
import type { AppContext } from '../generate.js'
import { SIM_MODEL } from '../sim/model.js'

const CREATED = Date.UTC(2025, 0, 1) / 1000

export const simModel = {
  id: SIM_MODEL,
  object: 'model',
  created: CREATED,
  owned_by: 'rivulet',
  type: 'model',
  display_name: 'Rivulet simulated model',
  created_at: new Date(CREATED * 1000).toISOString(),
}

export function listModels(ctx: ServerContext) {
  return async (c: AppContext): Promise<Response> => {
    const data: Record<string, unknown>[] = [simModel, ...(await upstreamModels(ctx))]
    return c.json({
      object: 'list',
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    })
  }
}

export function getModel(ctx: ServerContext) {
  return async (c: AppContext): Promise<Response> => {
    const id = c.req.param('id')
    const model = [simModel, ...(await upstreamModels(ctx))].find((item) => item.id === id)
    if (model) return c.json(model)
    return errorResponse('openai', {
      status: 404,
      message: `The model \`${id}\` does not exist`,
      param: 'model',
      code: 'model_not_found',
    })
  }
}

/** The upstream's models, when one is configured and answers within a few seconds. */
async function upstreamModels(ctx: ServerContext): Promise<Record<string, unknown>[]> {
  const upstream = ctx.upstream
  if (upstream === undefined) return []
  try {
    const fetchImpl = upstream.fetch ?? globalThis.fetch
    const response = await fetchImpl(`${upstream.url.replace(/\/+$/, '')}/models`, {
      headers: upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {},
      signal: AbortSignal.timeout(3000),
    })
    if (!response.ok) return []
    const body = (await response.json()) as { data?: unknown }
    return Array.isArray(body.data)
      ? body.data.filter(
          (item): item is Record<string, unknown> => typeof item?.id === 'string' && item.id !== SIM_MODEL,
        )
      : []
  } catch {
    return []
  }
}
