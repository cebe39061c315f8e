/**
 * TanStack Query integration: a streamed answer that is cached, deduped and refetched by key.
 * A subpath export (`@rivulet/react/query`), so `@tanstack/react-query` stays optional.
 */
import {
  type BufferStrategy,
  type FinishReason,
  isStreamError,
  type StreamError,
  type StreamProgress,
  streamTokens,
  type TokenStreamItem,
  type ToolCall,
  type Transport,
  type TransportMessage,
} from '@rivulet/core'
import { experimental_streamedQuery, type QueryKey, queryOptions, useQuery } from '@tanstack/react-query'

export interface StreamQueryData {
  text: string
  reasoning: string
  toolCalls: ToolCall[]
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

const EMPTY: StreamQueryData = { text: '', reasoning: '', toolCalls: [], done: false }

function reduce(data: StreamQueryData, item: TokenStreamItem): StreamQueryData {
  switch (item.type) {
    case 'token':
      return item.channel === 'text'
        ? { ...data, text: data.text + item.text, progress: item.progress }
        : { ...data, reasoning: data.reasoning + item.text, progress: item.progress }
    case 'tool-call':
      return {
        ...data,
        toolCalls: [...data.toolCalls, { index: item.index, id: item.id, name: item.name, args: item.args }],
      }
    case 'finish':
      return {
        ...data,
        finishReason: item.reason,
        done: true,
        ...(data.progress?.estimatedTokens !== undefined && { progress: { ...data.progress, percent: 100, etaMs: 0 } }),
      }
    default:
      return data
  }
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
    typeof options.messages === 'string' ? [{ role: 'user', content: options.messages }] : options.messages
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
    retry: (failures: number, error: Error) =>
      failures < 2 && isStreamError(error) && error.kind !== 'aborted' && retryableBeforeOutput(error),
    ...(options.enabled !== undefined && { enabled: options.enabled }),
  })
}

function retryableBeforeOutput(error: StreamError): boolean {
  return error.kind === 'network' || (error.kind === 'http' && (error.status === 429 || (error.status ?? 0) >= 500))
}

/** `useQuery(streamQueryOptions(options))`. */
export function useStreamQuery<TKey extends QueryKey>(options: StreamQueryOptions<TKey>) {
  return useQuery(streamQueryOptions(options))
}
