/**
 * TanStack Query integration: a streamed answer that is cached, deduped and refetched by key.
 * A subpath export (`@rivulet/react/query`), so `@tanstack/react-query` stays optional.
 */
import {
  type BufferStrategy,
  type FinishReason,
  isStreamError,
  MessageBuilder,
  type MessagePart,
  retryDelayMs,
  type StreamProgress,
  streamTokens,
  type TokenStreamItem,
  type Transport,
  type TransportMessage,
} from '@rivulet/core'
import { experimental_streamedQuery, type QueryKey, queryOptions, useQuery } from '@tanstack/react-query'

export interface StreamQueryData {
  /** Everything the answer holds, in order (text, reasoning, tool calls, sources, files). */
  parts: readonly MessagePart[]
  text: string
  reasoning: string
  progress?: StreamProgress
  finishReason?: FinishReason
  done: boolean
}

export interface StreamQueryOptions<TKey extends QueryKey> {
  queryKey: TKey
  transport: Transport
  /** The conversation to answer; a string is one user message. */
  messages: string | readonly TransportMessage[]
  buffer?: BufferStrategy
  rateLimit?: number
  estimatedTokens?: number
  /** What a refetch does with the answer shown: 'reset' (default), 'replace' (swap at the end), 'append'. */
  refetchMode?: 'append' | 'reset' | 'replace'
  /** Default: Infinity — an answer to the same question does not go stale by itself. */
  staleTime?: number
  enabled?: boolean
}

const EMPTY: StreamQueryData = { parts: [], text: '', reasoning: '', done: false }

/** The builder behind each value `reduce` returned, so the next item goes on from it. */
const builders = new WeakMap<StreamQueryData, MessageBuilder>()

/** Core's reducer (`MessageBuilder`), one immutable value per item as streamedQuery wants. */
function reduce(data: StreamQueryData, item: TokenStreamItem): StreamQueryData {
  let builder = builders.get(data)
  // A value not made here (the initial one, or cached data a refetch appends to) is gone on from.
  if (builder === undefined) {
    builder = new MessageBuilder({ from: { parts: data.parts.slice(), content: data.text } })
    if (data.progress) builder.progress = data.progress
  }
  builder.add(item)
  const { parts, content, reasoning } = builder.snapshot()
  const next: StreamQueryData = {
    parts,
    text: content,
    reasoning: reasoning ?? '',
    done: builder.finishReason !== undefined,
  }
  if (builder.progress) next.progress = builder.progress
  if (builder.finishReason) next.finishReason = builder.finishReason
  builders.delete(data)
  builders.set(next, builder)
  return next
}

/**
 * Query options for a streamed answer: `data.text` grows as tokens arrive, `data.progress`
 * follows, and cancelling the query (unmount, `queryClient.cancelQueries`) aborts the stream.
 *
 * @example
 * const { data } = useQuery(streamQueryOptions({ queryKey: ['summary', id], transport, messages: `Summarize ${doc}` }))
 */
export function streamQueryOptions<TKey extends QueryKey>(options: StreamQueryOptions<TKey>) {
  const messages: readonly TransportMessage[] =
    typeof options.messages === 'string'
      ? [{ id: 'prompt', role: 'user', parts: [{ type: 'text', text: options.messages }], content: options.messages }]
      : options.messages
  return queryOptions({
    queryKey: options.queryKey,
    queryFn: experimental_streamedQuery<TokenStreamItem, StreamQueryData, TKey>({
      streamFn: ({ signal }) =>
        streamTokens(options.transport({ messages, signal }), {
          buffer: options.buffer,
          rateLimit: options.rateLimit,
          estimatedTokens: options.estimatedTokens ?? options.transport.maxTokens,
          signal,
        }),
      reducer: reduce,
      initialValue: EMPTY,
      refetchMode: options.refetchMode ?? 'reset',
    }),
    staleTime: options.staleTime ?? Number.POSITIVE_INFINITY,
    // Core's retry rule: what is worth another attempt, how many, and how long to wait.
    retry: (failures: number, error: Error) =>
      isStreamError(error) && retryDelayMs(error, failures, {}, () => 0) !== undefined,
    retryDelay: (failures: number, error: Error) =>
      (isStreamError(error) && retryDelayMs(error, failures, {}, Math.random)) || 0,
    ...(options.enabled !== undefined && { enabled: options.enabled }),
  })
}

/** `useQuery(streamQueryOptions(options))`. */
export function useStreamQuery<TKey extends QueryKey>(options: StreamQueryOptions<TKey>) {
  return useQuery(streamQueryOptions(options))
}
