import type { ChatMessage, MessageStatus } from '@rivulet/core'
import {
  type CSSProperties,
  forwardRef,
  type HTMLAttributes,
  memo,
  type ReactNode,
  useContext,
  useEffect,
  useId,
  useMemo,
  useState,
} from 'react'
import { AnnouncerContext, LiveRegion } from './announcer.js'
import { splitBlocks, type TextBlock } from './blocks.js'
import { usePrefersReducedMotion } from './dom.js'
import { splitLines } from './lines.js'
import type { RevealOptions } from './reveal.js'
import { advanceSentences, NO_SENTENCES, type SentenceState } from './sentences.js'
import { useRevealedLength } from './use-reveal.js'

/** Renders one block of message text, e.g. with a markdown renderer. */
export type RenderBlock = (block: TextBlock) => ReactNode

/**
 * Renders the whole text shown so far (`live` while more is coming), e.g. with `@rivulet/markdown`,
 * which parses across blocks and memoizes finished ones itself.
 */
export type RenderText = (text: string, live: boolean) => ReactNode
export interface StreamingMessageLabels {
  /** Announced when the answer ends. */
  done: string
  stopped: string
  failed: string
}

export const DEFAULT_MESSAGE_LABELS: StreamingMessageLabels = {
  done: 'Response complete.',
  stopped: 'Response stopped.',
  failed: 'Response failed.',
}

export interface StreamingMessageProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  /** The message to show: its content and status. */
  message?: ChatMessage
  /** Text to show when there is no `message`. */
  text?: string
  /** With `text`: whether more is coming. */
  streaming?: boolean
  /** Overrides the status read from `message` or `streaming`. */
  status?: MessageStatus
  /**
   * Renders the text block by block (split at blank lines and code fences). Completed blocks
   * render once and are not rendered again while the last one grows, so a markdown renderer
   * only re-parses the block that changes. Without it, the text is shown as plain text.
   * Whatever it returns is the app's choice: nothing here turns text into HTML.
   */
  renderBlock?: RenderBlock
  /**
   * Renders the whole text shown so far (wins over `renderBlock`): the slot for a renderer that
   * needs all of it, as markdown does for lists, reference links and footnotes.
   *
   * @example
   * <StreamingMessage message={m} renderText={(text, live) => <Markdown text={text} streaming={live} />} />
   */
  renderText?: RenderText
  /** Announce how the message ended ("Response complete."). Default true. */
  announceEnd?: boolean
  /** Type the text out smoothly while it streams. Default true; off with prefers-reduced-motion. */
  animate?: boolean
  /** Tuning for the typing effect, read once at mount. */
  reveal?: RevealOptions
  labels?: Partial<StreamingMessageLabels>
}

const PRE_WRAP: CSSProperties = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }

/**
 * A message that types itself out as it streams: bursts are evened out, the text is never more
 * than ~300 ms behind what arrived, and it completes at once when the stream ends or stops.
 * Screen readers hear finished sentences (never tokens) and a short word when it ends, from a
 * live region beside the text, never inside it (so selecting and copying the text copies it
 * once); inside a `ChatWindow`, from the chat's one live region.
 *
 * @example
 * <StreamingMessage message={chat.messages.at(-1)} />
 * <StreamingMessage text={completion} streaming={isStreaming} renderText={(t, live) => <Markdown text={t} streaming={live} />} />
 */
export const StreamingMessage = forwardRef<HTMLDivElement, StreamingMessageProps>(function StreamingMessage(
  {
    message,
    text,
    streaming = false,
    status: statusProp,
    renderBlock,
    renderText,
    announceEnd = true,
    animate = true,
    reveal,
    labels,
    ...rest
  },
  ref,
) {
  const content = message?.content ?? text ?? ''
  const status: MessageStatus = statusProp ?? message?.status ?? (streaming ? 'streaming' : 'done')
  const live = status === 'submitted' || status === 'streaming'
  const reducedMotion = usePrefersReducedMotion()
  const shown = content.slice(0, useRevealedLength(content, live && animate && !reducedMotion, reveal))
  const sentences = useSentences(shown, live)

  const caret = live && <span data-rivulet="caret" aria-hidden="true" />
  const ending =
    sentences && !live && announceEnd ? endingLabel(status, { ...DEFAULT_MESSAGE_LABELS, ...labels }) : undefined
  let body: ReactNode
  if (renderText) {
    // A block renderer's last element ends the line: the stylesheet draws the caret into it.
    body = (
      <>
        {renderText(shown, live)}
        {shown === '' && caret}
      </>
    )
  } else if (renderBlock) {
    body = (
      <>
        <Blocks text={shown} final={!live} render={renderBlock} />
        {caret}
      </>
    )
  } else {
    body = <PlainText text={shown} caret={caret} />
  }
  return (
    <>
      <div ref={ref} data-rivulet="streaming-message" data-status={status} data-role={message?.role} {...rest}>
        <div data-rivulet="message-content" aria-busy={live}>
          {body}
        </div>
      </div>
      <Announcements sentences={sentences?.sentences} ending={ending} />
    </>
  )
})

/**
 * Where the sentences are announced: the enclosing chat's live region when there is one, else a
 * region of its own, after the message (not inside it).
 */
function Announcements({ sentences, ending }: { sentences: readonly string[] | undefined; ending?: string }) {
  const store = useContext(AnnouncerContext)
  const key = useId()
  useEffect(() => {
    if (store && sentences) store.set(key, { sentences, ending })
  }, [store, key, sentences, ending])
  useEffect(() => () => store?.set(key, undefined), [store, key])
  if (store) return null
  return <LiveRegion sentences={sentences ?? NO_SENTENCES.sentences} ending={ending} />
}

/**
 * Plain text, one block per line. Chromium shapes and lays out a text node whole whenever it
 * changes, so one node holding a long answer costs more each frame as it grows; a line that is
 * finished never changes, so only the last one is laid out again. The lines keep their `\n`
 * (`textContent` and copied text are the answer exactly) and look as the unsplit text would.
 */
function PlainText({ text, caret }: { text: string; caret: ReactNode }) {
  const lines = useMemo(() => splitLines(text), [text])
  if (lines.length === 0) return caret
  return lines.map((line, index) => (
    // Lines are only ever appended while a text grows: the index is a stable key.
    // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
    <Line key={index} text={line} caret={index === lines.length - 1 ? caret : undefined} />
  ))
}

/** One line; a finished one (no caret) renders once. */
const Line = memo(function Line({ text, caret }: { text: string; caret: ReactNode }) {
  return (
    <div style={PRE_WRAP}>
      {text}
      {caret}
    </div>
  )
})

/**
 * Finished sentences of the shown text, tracked from the moment the message is live (a message
 * that was never live while mounted announces nothing); undefined until then.
 */
function useSentences(shown: string, live: boolean): SentenceState | undefined {
  const [state, setState] = useState<SentenceState | undefined>(() => (live ? NO_SENTENCES : undefined))
  if (!live && state === undefined) return undefined
  const next = advanceSentences(state ?? NO_SENTENCES, shown, !live)
  // Adjusting state during render: React re-renders at once, without an extra commit.
  if (next !== state) setState(next)
  return next
}

function endingLabel(status: MessageStatus, labels: StreamingMessageLabels): string | undefined {
  if (status === 'done') return labels.done
  if (status === 'aborted') return labels.stopped
  if (status === 'error') return labels.failed
  return undefined
}

function Blocks({ text, final, render }: { text: string; final: boolean; render: RenderBlock }) {
  return splitBlocks(text, final).map((block) => <Block key={block.index} {...block} render={render} />)
}

interface BlockProps extends TextBlock {
  render: RenderBlock
}

/**
 * A block renders again only when its own text or completeness changes. A new `render`
 * function alone does not re-render it: inline arrow functions would otherwise re-render every
 * finished block on every frame.
 */
const Block = memo(
  function Block({ render, ...block }: BlockProps) {
    return render(block)
  },
  (before, after) =>
    before.text === after.text &&
    before.complete === after.complete &&
    before.index === after.index &&
    before.fenced === after.fenced,
)
