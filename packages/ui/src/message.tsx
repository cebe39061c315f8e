import type { ChatFileInput, ChatMessage, FilePart } from '@rivulet/core'
import { forwardRef, type HTMLAttributes, memo, useEffect, useRef, useState } from 'react'
import { useChatConfig } from './chat-context.js'
import { ErrorView } from './error-view.js'
import { MessageParts } from './parts.js'

export interface ChatMessageViewProps extends Omit<HTMLAttributes<HTMLElement>, 'children'> {
  message: ChatMessage
  /** Its position in the list (focus comes back to it after switching versions). */
  index: number
  /** The last message: it gets Regenerate and Retry. */
  isLast: boolean
  /** Its answer is streaming. */
  busy: boolean
}

/**
 * One message: its parts in order, its error with Retry, and its actions (copy; edit for a
 * question; regenerate for the last answer; the version picker when it has other versions).
 * Earlier messages keep their object identity while an answer streams, so they skip rendering.
 */
export const ChatMessageView = memo(
  forwardRef<HTMLElement, ChatMessageViewProps>(function ChatMessageView(
    { message, index, isLast, busy, ...rest },
    ref,
  ) {
    const config = useChatConfig('ChatMessageView')
    const { labels } = config
    const [editing, setEditing] = useState(false)
    const user = message.role !== 'assistant'
    const live = busy && (message.status === 'submitted' || message.status === 'streaming')
    return (
      <article
        ref={ref}
        data-rivulet="chat-message"
        data-role={message.role}
        data-status={message.status}
        data-message-id={message.id}
        {...rest}
      >
        {user && editing ? (
          <EditForm message={message} index={index} onClose={() => setEditing(false)} />
        ) : (
          <MessageParts message={message} live={live} />
        )}
        {message.status === 'error' && (
          <ErrorView error={message.error} labels={labels}>
            {isLast && (
              <button type="button" data-rivulet="retry" data-action="retry" onClick={config.regenerate}>
                {labels.retry}
              </button>
            )}
          </ErrorView>
        )}
        {!editing && !live && (
          <MessageActions message={message} index={index} isLast={isLast} onEdit={() => setEditing(true)} />
        )}
      </article>
    )
  }),
)

interface MessageActionsProps {
  message: ChatMessage
  index: number
  isLast: boolean
  onEdit?(): void
}

/** Copy, edit (questions), regenerate (the last answer) and the version picker. */
export function MessageActions({ message, index, isLast, onEdit }: MessageActionsProps) {
  const config = useChatConfig('MessageActions')
  const { labels } = config
  const assistant = message.role === 'assistant'
  const canRegenerate = assistant && isLast && (message.status === 'done' || message.status === 'aborted')
  return (
    <div data-rivulet="message-actions">
      {message.branch && message.branch.count > 1 && <BranchPicker message={message} index={index} />}
      {message.content !== '' && <CopyButton text={message.content} />}
      {!assistant && onEdit && (
        <button type="button" data-rivulet="edit" data-action="edit" onClick={onEdit}>
          {labels.edit}
        </button>
      )}
      {canRegenerate && (
        <button type="button" data-rivulet="regenerate" data-action="regenerate" onClick={config.regenerate}>
          {labels.regenerate}
        </button>
      )}
    </div>
  )
}

const COPIED_MS = 2000

/**
 * Copies `text` exactly (for an answer: its markdown source, not the rendered page), and says so
 * for a moment.
 */
export function CopyButton({ text }: { text: string }) {
  const { labels } = useChatConfig('CopyButton')
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), COPIED_MS)
    return () => clearTimeout(timer)
  }, [copied])
  return (
    <button
      type="button"
      data-rivulet="copy"
      data-action="copy"
      data-copied={copied || undefined}
      onClick={() => {
        navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => {},
        )
      }}
    >
      <span aria-live="polite">{copied ? labels.copied : labels.copy}</span>
    </button>
  )
}

/**
 * Which version of a message this is, of how many (`1 / 3`), with previous and next (wrapping
 * around). Switching replaces the message, so focus is put back on the same button of the new one.
 */
export function BranchPicker({ message, index }: { message: ChatMessage; index: number }) {
  const config = useChatConfig('BranchPicker')
  const { labels } = config
  const branch = message.branch
  if (!branch || branch.count < 2) return null
  const go = (step: number, action: string) => {
    config.requestFocus({ messageIndex: index, messageId: message.id, action })
    config.session.selectBranch(message.id, (branch.index + step + branch.count) % branch.count)
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of buttons, not a form's fieldset
    <div data-rivulet="branch-picker" role="group" aria-label={labels.version}>
      <button
        type="button"
        data-action="previous-version"
        aria-label={labels.previousVersion}
        onClick={() => go(-1, 'previous-version')}
      >
        <span aria-hidden="true">‹</span>
      </button>
      <span data-rivulet="branch-position">{`${branch.index + 1} / ${branch.count}`}</span>
      <button
        type="button"
        data-action="next-version"
        aria-label={labels.nextVersion}
        onClick={() => go(1, 'next-version')}
      >
        <span aria-hidden="true">›</span>
      </button>
    </div>
  )
}

/** A question edited in place: sending it asks again, and the earlier version stays a branch. */
function EditForm({ message, index, onClose }: { message: ChatMessage; index: number; onClose(): void }) {
  const config = useChatConfig('ChatMessageView')
  const { labels } = config
  const [text, setText] = useState(message.content)
  const field = useRef<HTMLTextAreaElement>(null)
  useEffect(() => field.current?.focus(), [])
  const files = message.parts.filter((part): part is FilePart => part.type === 'file')
  const save = () => {
    if (text.trim() === '' && files.length === 0) return
    const kept: ChatFileInput[] = files.map(({ url, mediaType, filename }) =>
      filename === undefined ? { url, mediaType } : { url, mediaType, filename },
    )
    config.requestFocus({ messageIndex: index, messageId: message.id, action: 'edit' })
    config.follow()
    onClose()
    config.session.editMessage(message.id, { text, files: kept }).catch(() => {})
  }
  const cancel = () => {
    config.requestFocus({ messageIndex: index, messageId: '', action: 'edit' })
    onClose()
  }
  return (
    <form
      data-rivulet="edit-message"
      onSubmit={(event) => {
        event.preventDefault()
        save()
      }}
    >
      <textarea
        aria-label={labels.editInput}
        ref={field}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault()
            cancel()
          } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault()
            save()
          }
        }}
      />
      <div data-rivulet="edit-actions">
        <button type="button" data-action="cancel-edit" onClick={cancel}>
          {labels.cancelEdit}
        </button>
        <button type="submit" data-action="save-edit">
          {labels.saveEdit}
        </button>
      </div>
    </form>
  )
}
