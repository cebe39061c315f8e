import type { ChatMessage, FilePart, MessagePart, ReasoningPart, SourcePart } from '@rivulet/core'
import { type CSSProperties, forwardRef, type HTMLAttributes, type ReactNode, useEffect, useState } from 'react'
import { fill, useChatConfig } from './chat-context.js'
import { now } from './dom.js'
import { type ChatWindowLabels, DEFAULT_CHAT_LABELS } from './labels.js'
import { StreamingMessage } from './streaming-message.js'
import { ChatToolView } from './tool-view.js'
import { safeFileUrl, safeLinkUrl } from './urls.js'

const PRE_WRAP: CSSProperties = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }

export interface MessagePartsProps {
  message: ChatMessage
  /** Whether the answer is still streaming (its last part grows). */
  live: boolean
}

/**
 * A message's parts in the order the model produced them: text (typed out while it streams, by
 * the chat's text renderer), reasoning, tool calls, sources (consecutive ones as one list),
 * files and images, and a rule between tool rounds. `data` parts are the app's to show.
 */
export function MessageParts({ message, live }: MessagePartsProps) {
  const { parts } = message
  let lastText = -1
  for (let index = parts.length - 1; index >= 0; index--) {
    if (parts[index]!.type === 'text') {
      lastText = index
      break
    }
  }
  const views: ReactNode[] = []
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!
    if (part.type === 'source') {
      const sources: SourcePart[] = [part]
      while (parts[index + 1]?.type === 'source') sources.push(parts[++index] as SourcePart)
      // Parts are only ever appended (a replaced file keeps its place): the index is a stable key.
      views.push(<ChatSourceList key={index} sources={sources} />)
      continue
    }
    const growing = live && index === parts.length - 1
    views.push(
      <PartView
        key={index}
        part={part}
        message={message}
        growing={growing}
        live={live}
        isLastText={index === lastText}
      />,
    )
  }
  const waiting = live && !['text', 'reasoning'].includes(parts.at(-1)?.type ?? '')
  return (
    <>
      {views}
      {waiting && (
        <div data-rivulet="message-pending">
          <span data-rivulet="caret" aria-hidden="true" />
        </div>
      )}
    </>
  )
}

function PartView({
  part,
  message,
  growing,
  live,
  isLastText,
}: {
  part: MessagePart
  message: ChatMessage
  growing: boolean
  live: boolean
  isLastText: boolean
}) {
  const config = useChatConfig('MessageParts')
  switch (part.type) {
    case 'text':
      if (message.role !== 'assistant') {
        return (
          <div data-rivulet="message-content" style={PRE_WRAP}>
            {part.text}
          </div>
        )
      }
      return (
        <StreamingMessage
          text={part.text}
          // A text part the answer went on from is finished; the answer's ending is told by its last one.
          status={growing ? (message.status ?? 'streaming') : live ? 'done' : (message.status ?? 'done')}
          announceEnd={isLastText && !live}
          renderText={config.renderText}
          renderBlock={config.renderBlock}
          animate={config.animate}
          labels={config.labels}
        />
      )
    case 'reasoning':
      return <ReasoningView part={part} streaming={growing} labels={config.labels} />
    case 'tool':
      return <ChatToolView part={part} />
    case 'file':
      return <FileView part={part} labels={config.labels} />
    case 'step-start':
      return <StepBoundary />
    default:
      return null
  }
}

export interface ReasoningViewProps extends Omit<HTMLAttributes<HTMLDetailsElement>, 'children' | 'part'> {
  part: ReasoningPart
  /** Still arriving: shown open, and timed. */
  streaming: boolean
  labels?: Partial<ChatWindowLabels>
}

/**
 * The model's reasoning in a disclosure: open while it streams, closed once it is done, with how
 * long it took when that was seen.
 */
export const ReasoningView = forwardRef<HTMLDetailsElement, ReasoningViewProps>(function ReasoningView(
  { part, streaming, labels: labelsProp, ...rest },
  ref,
) {
  const labels = { ...DEFAULT_CHAT_LABELS, ...labelsProp }
  const [startedAt] = useState(() => (streaming ? now() : undefined))
  const [durationMs, setDurationMs] = useState<number>()
  useEffect(() => {
    if (!streaming && startedAt !== undefined) setDurationMs((known) => known ?? now() - startedAt)
  }, [streaming, startedAt])
  const summary = streaming
    ? labels.reasoningStreaming
    : durationMs !== undefined
      ? fill(labels.reasoningDone, { seconds: Math.max(1, Math.round(durationMs / 1000)) })
      : labels.reasoning
  return (
    <details
      ref={ref}
      data-rivulet="reasoning"
      data-status={streaming ? 'streaming' : 'done'}
      // Set while it streams, removed once when it ends; between those the reader toggles it freely.
      open={streaming}
      {...rest}
    >
      <summary>{summary}</summary>
      <div data-rivulet="reasoning-text" style={PRE_WRAP}>
        {part.text}
      </div>
    </details>
  )
})

export interface SourceListProps extends Omit<HTMLAttributes<HTMLElement>, 'children' | 'part'> {
  sources: readonly SourcePart[]
  labels?: Partial<ChatWindowLabels>
}

/**
 * Sources as a compact list of links. Only `http:` and `https:` URLs become links (opening in a
 * new tab, without a referrer); any other source shows its title as text.
 */
export const SourceList = forwardRef<HTMLElement, SourceListProps>(function SourceList(
  { sources, labels: labelsProp, ...rest },
  ref,
) {
  const labels = { ...DEFAULT_CHAT_LABELS, ...labelsProp }
  return (
    <nav ref={ref} data-rivulet="sources" aria-label={labels.sources} {...rest}>
      <ol>
        {sources.map((source, index) => {
          const href = safeLinkUrl(source.url)
          const name = source.title || (href ? new URL(href).hostname : undefined) || source.filename || source.url
          return (
            // Sources are only ever appended: the index is a stable key.
            // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
            <li key={index} data-rivulet="source">
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer" title={source.url}>
                  {name}
                </a>
              ) : (
                <span>{name}</span>
              )}
            </li>
          )
        })}
      </ol>
    </nav>
  )
})

function ChatSourceList({ sources }: { sources: readonly SourcePart[] }) {
  return <SourceList sources={sources} labels={useChatConfig('SourceList').labels} />
}

export interface FileViewProps extends Omit<HTMLAttributes<HTMLElement>, 'children' | 'part'> {
  part: Pick<FilePart, 'mediaType' | 'url' | 'filename' | 'partial'>
  labels?: Partial<ChatWindowLabels>
}

/**
 * A file of a message: an image shown (an attachment or a generated one), any other file as a
 * link to it. Only `data:`, `https:` and `blob:` URLs are used; anything else shows its name.
 */
export const FileView = forwardRef<HTMLElement, FileViewProps>(function FileView(
  { part, labels: labelsProp, ...rest },
  ref,
) {
  const labels = { ...DEFAULT_CHAT_LABELS, ...labelsProp }
  const url = safeFileUrl(part.url)
  const image = part.mediaType.startsWith('image/')
  const name = part.filename ?? (image ? labels.image : labels.file)
  return (
    <figure
      ref={ref}
      data-rivulet="file"
      data-kind={image ? 'image' : 'file'}
      data-partial={part.partial || undefined}
      {...rest}
    >
      {url && image ? (
        <img src={url} alt={name} loading="lazy" decoding="async" />
      ) : url ? (
        <a href={url} download={part.filename ?? true} target="_blank" rel="noopener noreferrer">
          {name}
        </a>
      ) : (
        <span>{name}</span>
      )}
    </figure>
  )
})

/** Where one tool round ends and the model's next step begins. */
export const StepBoundary = forwardRef<HTMLHRElement, HTMLAttributes<HTMLHRElement>>(function StepBoundary(props, ref) {
  return <hr ref={ref} data-rivulet="step-start" {...props} />
})
