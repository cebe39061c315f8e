export {
  type CreateResult,
  EventsTrimmedError,
  type Follower,
  type MemoryStoreOptions,
  MemoryStreamStore,
  type StoredEvent,
  type StreamFormat,
  type StreamInfo,
  type StreamStore,
  type Subscription,
} from '@rivulet/server'
export type {
  Limits,
  Logger,
  ServerStats,
  StreamEndInfo,
  UpstreamOptions,
} from './context.js'
export { DEFAULT_LIMITS } from './context.js'
export type { RateLimitOptions } from './limits.js'
export { createServer, type RivuletServer, type RunningServer, type ServerOptions, startServer } from './server.js'
export { type AnswerPlan, planAnswer, SIM_MODEL, type SimRequest } from './sim/model.js'
export { DEFAULT_SIMULATION, type SimulationDefaults } from './sim/options.js'
export { WEBSOCKET_PATH } from './websocket.js'
