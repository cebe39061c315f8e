import {
  type ClipboardEvent,
  type DragEvent,
  type FormHTMLAttributes,
  forwardRef,
  type KeyboardEvent,
  useEffect,
  useRef,
  useState,
} from 'react'
import { fill, useChatConfig, useChatState } from './chat-context.js'

export interface AttachmentOptions {
  /** File types that may be attached, as `<input accept>` takes them. Default `image/*`. */
  accept?: string
  /** Files per message. Default 4. */
  maxFiles?: number
  /** Bytes per file. Default 10 MB. */
  maxFileSize?: number
}

export interface ComposerProps
  extends Omit<FormHTMLAttributes<HTMLFormElement>, 'children' | 'onSubmit'>,
    AttachmentOptions {
  /** Let the user attach files (pick, paste, drop). Default true. */
  attachments?: boolean
}

interface Attachment {
  id: number
  file: File
  /** An object URL for an image's preview. */
  preview?: string
}

export const ATTACHMENT_DEFAULTS = { accept: 'image/*', maxFiles: 4, maxFileSize: 10 * 1024 * 1024 }

/**
 * Where the next message is written: Enter sends, Shift+Enter is a newline, Stop while an answer
 * streams. Files are attached by the Attach button, by pasting or by dropping them, shown as
 * previews with Remove, checked against `accept`, `maxFiles` and `maxFileSize` (with a message
 * that says why one was not added), and sent with the text (`send({ text, files })`).
 */
export const Composer = forwardRef<HTMLFormElement, ComposerProps>(function Composer(
  {
    attachments: allowFiles = true,
    accept = ATTACHMENT_DEFAULTS.accept,
    maxFiles = ATTACHMENT_DEFAULTS.maxFiles,
    maxFileSize = ATTACHMENT_DEFAULTS.maxFileSize,
    ...rest
  },
  ref,
) {
  const { labels, inputRef, follow } = useChatConfig('Composer')
  const { chat } = useChatState('Composer')
  const { isStreaming, send, abort } = chat
  const [input, setInput] = useState('')
  const [files, setFiles] = useState<Attachment[]>([])
  const [problem, setProblem] = useState<string>()
  const [dragging, setDragging] = useState(false)
  const picker = useRef<HTMLInputElement>(null)
  const nextId = useRef(0)
  const previews = useRef(new Set<string>())

  useEffect(() => {
    const urls = previews.current
    return () => {
      for (const url of urls) URL.revokeObjectURL(url)
    }
  }, [])

  const add = (list: Iterable<File>) => {
    const added: Attachment[] = []
    let why: string | undefined
    for (const file of list) {
      if (!accepts(accept, file)) why = fill(labels.fileNotAccepted, { name: file.name })
      else if (file.size > maxFileSize)
        why = fill(labels.fileTooLarge, { name: file.name, max: formatBytes(maxFileSize) })
      else if (files.length + added.length >= maxFiles) why = fill(labels.tooManyFiles, { max: maxFiles })
      else added.push({ id: nextId.current++, file, preview: previewUrl(file, previews.current) })
    }
    setProblem(why)
    if (added.length > 0) setFiles((current) => [...current, ...added])
  }
  const remove = (attachment: Attachment) => {
    if (attachment.preview) {
      URL.revokeObjectURL(attachment.preview)
      previews.current.delete(attachment.preview)
    }
    setFiles((current) => current.filter((other) => other !== attachment))
    setProblem(undefined)
    // The Remove button goes away: focus goes back to typing.
    inputRef.current?.focus()
  }

  const text = input.trim()
  const canSend = !isStreaming && (text !== '' || files.length > 0)
  const submit = () => {
    if (!canSend) return
    const sending = files.map((attachment) => attachment.file)
    setInput('')
    setFiles([])
    setProblem(undefined)
    // The Send button is disabled while the answer streams: keep focus where typing goes on.
    inputRef.current?.focus()
    follow()
    // It rejects only if a stream is live (ruled out above); a failed answer shows as its error.
    send(sending.length > 0 ? { text, files: sending } : text).catch(() => {})
  }
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a newline, and Enter that confirms an IME composition is neither.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return
    event.preventDefault()
    submit()
  }
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    if (!allowFiles || event.clipboardData.files.length === 0) return
    event.preventDefault()
    add(event.clipboardData.files)
  }
  const hasFiles = (event: DragEvent) => allowFiles && Array.from(event.dataTransfer.types).includes('Files')
  const stop = () => {
    abort()
    // The Stop button goes away with the stream; focus goes back to the composer, not to the page.
    inputRef.current?.focus()
  }

  return (
    <form
      ref={ref}
      data-rivulet="composer"
      data-dragging={dragging || undefined}
      onSubmit={(event) => {
        event.preventDefault()
        submit()
      }}
      onDragOver={(event) => {
        if (!hasFiles(event)) return
        event.preventDefault()
        setDragging(true)
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false)
      }}
      onDrop={(event) => {
        setDragging(false)
        if (!hasFiles(event)) return
        event.preventDefault()
        add(event.dataTransfer.files)
      }}
      {...rest}
    >
      {files.length > 0 && (
        <ul data-rivulet="attachments" aria-label={labels.attachments}>
          {files.map((attachment) => (
            <li key={attachment.id} data-rivulet="attachment">
              {attachment.preview ? (
                <img src={attachment.preview} alt={attachment.file.name} />
              ) : (
                <span data-rivulet="attachment-name">{attachment.file.name}</span>
              )}
              <button
                type="button"
                data-rivulet="remove-attachment"
                aria-label={fill(labels.removeAttachment, { name: attachment.file.name })}
                onClick={() => remove(attachment)}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p data-rivulet="composer-error" role="alert">
          {problem}
        </p>
      )}
      <div data-rivulet="composer-row">
        {allowFiles && (
          <>
            <input
              ref={picker}
              type="file"
              multiple
              accept={accept}
              hidden
              aria-label={labels.attach}
              onChange={(event) => {
                add(event.target.files ?? [])
                event.target.value = '' // the same file can be picked again after removing it
              }}
            />
            <button
              type="button"
              data-rivulet="attach"
              aria-label={labels.attach}
              title={labels.attach}
              onClick={() => picker.current?.click()}
            >
              <span aria-hidden="true">+</span>
            </button>
          </>
        )}
        <textarea
          ref={inputRef}
          aria-label={labels.input}
          placeholder={labels.placeholder}
          rows={1}
          value={input}
          onChange={(event) => setInput(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        {isStreaming && (
          <button type="button" data-rivulet="stop" onClick={stop}>
            {labels.stop}
          </button>
        )}
        <button type="submit" data-rivulet="send" disabled={!canSend}>
          {labels.send}
        </button>
      </div>
    </form>
  )
})

/** Whether `file` matches an `accept` list (`image/*`, `image/png`, `.pdf`), as the picker would. */
export function accepts(accept: string, file: File): boolean {
  const rules = accept
    .split(',')
    .map((rule) => rule.trim().toLowerCase())
    .filter(Boolean)
  if (rules.length === 0) return true
  const type = file.type.toLowerCase()
  const name = file.name.toLowerCase()
  return rules.some((rule) =>
    rule.startsWith('.')
      ? name.endsWith(rule)
      : rule.endsWith('/*')
        ? type.startsWith(rule.slice(0, -1))
        : type === rule,
  )
}

function previewUrl(file: File, urls: Set<string>): string | undefined {
  if (!file.type.startsWith('image/') || typeof URL.createObjectURL !== 'function') return undefined
  const url = URL.createObjectURL(file)
  urls.add(url)
  return url
}

/** `10485760` → `10 MB`, `1024` → `0.001 MB`: limits are stated in one unit. */
export function formatBytes(bytes: number): string {
  return `${+(bytes / 1048576).toPrecision(3)} MB`
}
