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
export { EventsTrimmedError, type Follower, type StoredEvent, type Subscription } from './streams/log.js'
export {
  type CreateResult,
  type MemoryStoreOptions,
  MemoryStreamStore,
  type StreamFormat,
  type StreamInfo,
  type StreamStore,
} from './streams/store.js'
export { WEBSOCKET_PATH } from './websocket.js'
