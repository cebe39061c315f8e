export { EventsTrimmedError, type Follower, MemoryLog, type StoredEvent, type Subscription } from './log.js'
export { type MemoryStoreOptions, MemoryStreamStore } from './memory-store.js'
export { type RedisStoreOptions, RedisStreamStore } from './redis-store.js'
export type { CreateResult, StreamFormat, StreamInfo, StreamStore } from './store.js'
