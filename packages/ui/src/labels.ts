import { DEFAULT_PROGRESS_LABEL } from './stream-progress-bar.js'
import { DEFAULT_STATS_LABELS, type StreamStatsLabels } from './stream-stats.js'
import { DEFAULT_MESSAGE_LABELS, type StreamingMessageLabels } from './streaming-message.js'

/**
 * Every word the chat shows or announces, its messages', progress bar's and stats' included.
 * `{name}` placeholders are filled in.
 */
export interface ChatWindowLabels extends StreamingMessageLabels, StreamStatsLabels {
  chat: string
  messages: string
  input: string
  placeholder: string
  send: string
  stop: string
  regenerate: string
  retry: string
  /** An error of no known kind. */
  error: string
  errorRateLimited: string
  errorOverloaded: string
  /** `{seconds}`: added to rate limits and overload when the server says how long to wait. */
  errorRetryIn: string
  errorUnauthorized: string
  errorServer: string
  errorRefused: string
  errorNetwork: string
  errorInterrupted: string
  errorTimeout: string
  errorStopped: string
  errorTooLarge: string
  errorUnreadable: string
  errorProvider: string
  errorDetails: string
  /** The progress bar's accessible name. */
  progress: string
  jumpToLatest: string
  /** Reasoning of an answer read from history (no duration known). */
  reasoning: string
  reasoningStreaming: string
  /** `{seconds}` */
  reasoningDone: string
  toolInputStreaming: string
  toolRunning: string
  toolApproval: string
  toolDone: string
  toolError: string
  toolDenied: string
  toolInput: string
  toolOutput: string
  approve: string
  deny: string
  /** After a preview cut short: `{count}` characters not shown. */
  truncated: string
  sources: string
  image: string
  file: string
  copy: string
  copied: string
  edit: string
  editInput: string
  saveEdit: string
  cancelEdit: string
  version: string
  previousVersion: string
  nextVersion: string
  attach: string
  attachments: string
  /** `{name}` */
  removeAttachment: string
  /** `{max}` */
  tooManyFiles: string
  /** `{name}`, `{max}` (e.g. "10 MB") */
  fileTooLarge: string
  /** `{name}` */
  fileNotAccepted: string
}

export const DEFAULT_CHAT_LABELS: ChatWindowLabels = {
  chat: 'Chat',
  messages: 'Messages',
  input: 'Message',
  placeholder: 'Send a message',
  send: 'Send',
  stop: 'Stop',
  regenerate: 'Regenerate',
  retry: 'Retry',
  error: 'Something went wrong.',
  errorRateLimited: 'Too many requests right now.',
  errorOverloaded: 'The model is overloaded right now.',
  errorRetryIn: 'Try again in {seconds} s.',
  errorUnauthorized: 'The request was not allowed. Check the API key.',
  errorServer: 'The server had a problem answering.',
  errorRefused: 'The request was refused.',
  errorNetwork: 'Could not reach the server. Check your connection.',
  errorInterrupted: 'The connection dropped before the answer was finished.',
  errorTimeout: 'The model took too long to answer.',
  errorStopped: 'The answer was stopped.',
  errorTooLarge: 'The answer was too large to receive.',
  errorUnreadable: 'The answer came in a form that could not be read.',
  errorProvider: 'The model could not answer.',
  errorDetails: 'Details',
  progress: DEFAULT_PROGRESS_LABEL,
  jumpToLatest: 'Jump to latest',
  reasoning: 'Reasoning',
  reasoningStreaming: 'Thinking…',
  reasoningDone: 'Thought for {seconds} s',
  toolInputStreaming: 'Preparing the call…',
  toolRunning: 'Running…',
  toolApproval: 'Waiting for your approval',
  toolDone: 'Done',
  toolError: 'Failed',
  toolDenied: 'Denied',
  toolInput: 'Input',
  toolOutput: 'Output',
  approve: 'Approve',
  deny: 'Deny',
  truncated: '… {count} more characters',
  sources: 'Sources',
  image: 'Image',
  file: 'File',
  copy: 'Copy',
  copied: 'Copied',
  edit: 'Edit',
  editInput: 'Edit message',
  saveEdit: 'Save and send',
  cancelEdit: 'Cancel',
  version: 'Version',
  previousVersion: 'Previous version',
  nextVersion: 'Next version',
  attach: 'Attach files',
  attachments: 'Attachments',
  removeAttachment: 'Remove {name}',
  tooManyFiles: 'You can attach up to {max} files.',
  fileTooLarge: '{name} is larger than {max}.',
  fileNotAccepted: '{name} is not a kind of file that can be attached.',
  ...DEFAULT_MESSAGE_LABELS,
  ...DEFAULT_STATS_LABELS,
}
