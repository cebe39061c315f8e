import type { ToolPart, ToolState } from '@rivulet/core'
import { forwardRef, type HTMLAttributes, useRef } from 'react'
import { fill, useChatConfig } from './chat-context.js'
import { setRef } from './dom.js'
import { type ChatWindowLabels, DEFAULT_CHAT_LABELS } from './labels.js'

/**
 * Characters of a tool's input or output shown at most. Arguments can be large (a file's text,
 * a long query) and grow every frame while they stream: a bounded preview keeps layout and
 * paint per frame small however long they get.
 */
export const TOOL_PREVIEW_CHARS = 2000

export interface ToolViewProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children' | 'part'> {
  part: ToolPart
  /** Answers `approval-requested`; without it, the Approve and Deny buttons are not shown. */
  onRespond?(approved: boolean): void
  labels?: Partial<ChatWindowLabels>
}

const STATUS_LABEL: Record<ToolState, keyof ChatWindowLabels> = {
  'input-streaming': 'toolInputStreaming',
  'input-available': 'toolRunning',
  'approval-requested': 'toolApproval',
  'output-available': 'toolDone',
  'output-error': 'toolError',
  'output-denied': 'toolDenied',
}

/**
 * A tool call in any state: its name and status, its arguments (growing while they stream,
 * shown as a bounded preview), Approve and Deny while it waits for approval, then its output, its
 * error or the denial. State is on `data-state`.
 *
 * @example
 * <ToolView part={part} onRespond={(approved) => chat.respondToApproval({ toolCallId: part.toolCallId, approved })} />
 */
export const ToolView = forwardRef<HTMLDivElement, ToolViewProps>(function ToolView(
  { part, onRespond, labels: labelsProp, ...rest },
  ref,
) {
  const labels = { ...DEFAULT_CHAT_LABELS, ...labelsProp }
  const own = useRef<HTMLDivElement | null>(null)
  const streaming = part.state === 'input-streaming'
  const respond = (approved: boolean) => {
    // The buttons go away with the answer: focus stays on the call they answered.
    own.current?.focus()
    onRespond?.(approved)
  }
  return (
    <div
      ref={(node) => {
        own.current = node
        setRef(ref, node)
      }}
      data-rivulet="tool-call"
      data-tool={part.name}
      data-state={part.state}
      data-provider-executed={part.providerExecuted || undefined}
      tabIndex={-1}
      {...rest}
    >
      <div data-rivulet="tool-header">
        <span data-rivulet="tool-name">{part.name}</span>
        <span data-rivulet="tool-status">{labels[STATUS_LABEL[part.state]]}</span>
      </div>
      {part.input !== undefined && (
        <Preview kind="tool-arguments" label={labels.toolInput} value={part.input} tail={streaming} labels={labels} />
      )}
      {part.state === 'approval-requested' && onRespond && (
        <div data-rivulet="tool-approval">
          <button type="button" data-action="approve" onClick={() => respond(true)}>
            {labels.approve}
          </button>
          <button type="button" data-action="deny" onClick={() => respond(false)}>
            {labels.deny}
          </button>
        </div>
      )}
      {part.state === 'output-available' && part.output !== undefined && (
        <Preview kind="tool-output" label={labels.toolOutput} value={part.output} tail={false} labels={labels} />
      )}
      {(part.state === 'output-error' || part.state === 'output-denied') && part.errorText && (
        <p data-rivulet="tool-error">{part.errorText}</p>
      )}
    </div>
  )
})

/** A value as text, cut to `TOOL_PREVIEW_CHARS`: the end while it grows (where the news is), else the start. */
function Preview({
  kind,
  label,
  value,
  tail,
  labels,
}: {
  kind: string
  label: string
  value: unknown
  tail: boolean
  labels: ChatWindowLabels
}) {
  const text = formatValue(value)
  const cut = text.length - TOOL_PREVIEW_CHARS
  const shown = cut <= 0 ? text : tail ? text.slice(cut) : text.slice(0, TOOL_PREVIEW_CHARS)
  const note = cut > 0 && <span data-rivulet="tool-truncated">{fill(labels.truncated, { count: cut })}</span>
  return (
    <figure data-rivulet={kind} data-truncated={cut > 0 || undefined}>
      <figcaption>{label}</figcaption>
      {tail && note}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a preview taller than its box scrolls, so it must be reachable by keyboard */}
      <pre tabIndex={0}>
        <code>{shown}</code>
      </pre>
      {!tail && note}
    </figure>
  )
}

/** Strings as they are, anything else as indented JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value, null, 2) ?? String(value)
  } catch {
    return String(value)
  }
}

/** The default tool view inside a chat: approvals go to the chat's session. */
export function ChatToolView({ part }: { part: ToolPart }) {
  const { session, labels, toolRenderer } = useChatConfig('ChatToolView')
  const respond = (approved: boolean) => session.respondToApproval({ toolCallId: part.toolCallId, approved })
  const custom = toolRenderer(part.name)?.({
    part,
    respond: (approved, reason) => session.respondToApproval({ toolCallId: part.toolCallId, approved, reason }),
    addResult: (result) => session.addToolResult({ toolCallId: part.toolCallId, ...result }),
  })
  if (custom !== undefined) return custom
  return <ToolView part={part} onRespond={respond} labels={labels} />
}
