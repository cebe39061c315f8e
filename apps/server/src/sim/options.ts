import type { SimulationOptions } from '@rivulet/core'
import { z } from 'zod'

/** Stalls, TTFT and answer sizes are bounded so one request cannot hold a slot for hours. */
const MAX_WAIT_MS = 120_000
const MAX_TOKENS = 32_768
/** The slowest pace a stream may ask for (0 still means as fast as possible). */
export const MIN_TOKENS_PER_SECOND = 1

const afterTokens = z.int().min(0).max(MAX_TOKENS)

const fault = z.discriminatedUnion('type', [
  z.object({ type: z.literal('drop'), afterTokens }),
  z.object({ type: z.literal('stall'), afterTokens, ms: z.int().min(0).max(MAX_WAIT_MS) }),
  z.object({
    type: z.literal('http'),
    status: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(529)]),
    retryAfterS: z.number().min(0).max(3600).optional(),
  }),
  z.object({ type: z.literal('malformed'), afterTokens }),
  z.object({ type: z.literal('provider-error'), afterTokens }),
])

/**
 * The `rivulet` request field (and the `x-rivulet-sim` header): `RequestSimulation`.
 * Unknown keys are an error, so a typo is never ignored.
 */
export const simulationSchema = z.strictObject({
  seed: z.int().optional(),
  ttftMs: z.number().min(0).max(MAX_WAIT_MS).optional(),
  tokensPerSecond: z
    .number()
    .min(0)
    .max(100_000)
    .refine((value) => value === 0 || value >= MIN_TOKENS_PER_SECOND, `must be 0 or at least ${MIN_TOKENS_PER_SECOND}`)
    .optional(),
  jitter: z.number().min(0).max(1).optional(),
  burstiness: z.number().min(0).max(1).optional(),
  reasoning: z.boolean().optional(),
  tokens: z.int().min(0).max(MAX_TOKENS).optional(),
  fault: fault.optional(),
  resumable: z.boolean().optional(),
  webSearch: z.boolean().optional(),
  image: z.boolean().optional(),
})

/** What a request may ask of the simulated model: core's `SimulationOptions`, plus whether the stream is resumable. */
export type RequestSimulation = SimulationOptions & { resumable?: boolean }

// The schema and core's type must describe the same thing: this fails to compile if they drift.
type Parsed = z.infer<typeof simulationSchema>
const _sameShape: [Parsed extends RequestSimulation ? true : false, RequestSimulation extends Parsed ? true : false] = [
  true,
  true,
]
void _sameShape

/** Timing the simulated model uses when a request does not say (a realistic, watchable pace). */
export interface SimulationDefaults {
  ttftMs: number
  tokensPerSecond: number
  jitter: number
  burstiness: number
}

export const DEFAULT_SIMULATION: SimulationDefaults = {
  ttftMs: 350,
  tokensPerSecond: 40,
  jitter: 0.35,
  burstiness: 0.15,
}
