/** What the benchmark page and the Node runner (benchmarks/src/react.bench.ts) agree on. */

export const CONTENDERS = ['rivulet', 'rivulet-typing', 'aisdk', 'aisdk-throttle', 'naive'] as const
/**
 * The markdown section (`?mode=markdown`): the same markdown answer through `useStreamingChat`,
 * rendered by `@rivulet/markdown`, streamdown, or react-markdown + remark-gfm.
 */
export const MARKDOWN_CONTENDERS = ['rivulet-markdown', 'streamdown', 'react-markdown'] as const
export type ContenderName = (typeof CONTENDERS)[number] | (typeof MARKDOWN_CONTENDERS)[number]

/** Figures for one stream, measured in the page. Times are ms on the page's `performance.now()` clock. */
export interface PageResult {
  contender: ContenderName
  tokensPerSecond: number
  tokens: number
  /** The DOM ended up showing exactly the streamed text. */
  textMatches: boolean
  /** From the first token's arrival to the moment the last token was in the DOM. */
  durationMs: number
  /** Tokens per second the mock actually delivered (first to last arrival). */
  deliveredPerSecond: number
  /** React commits (Profiler onRender calls) within the stream. */
  commits: number
  /** Frames painted within the stream: one per requestAnimationFrame, counted by their layout. */
  frames: number
  /** Their rate: frames over the time from the layout before the first of them to the last one's. */
  framesPerSecond: number
  /** Frames in which React committed more than once. */
  framesWithSeveralCommits: number
  /** The median interval between frames while the page sat idle before the stream. */
  idleFrameMs: number
  longTasks: number
  longestTaskMs: number
  /** Per token: from its bytes leaving the mock to the first paint showing it. */
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  /**
   * Mean main-thread time per frame while the first and the last tenth of the answer came in:
   * from the frame's start through its paint, plus React render time committed between frames.
   */
  frameWorkFirstTenthMs: number
  frameWorkLastTenthMs: number
}

export interface BenchApi {
  /** Resolves once the mock worker runs, the component is mounted and the idle frame rate is known. */
  ready: Promise<void>
  /** Starts the stream; resolves when every token has been painted. */
  run(): Promise<PageResult>
}

export interface BenchWindow {
  __bench?: BenchApi
}
