/**
 * What every provider's request builder shares: a message's parts (split into tool rounds), a
 * tool call's outcome, attached files as bytes or URLs, and the one error for input a provider
 * does not take. Each builder turns these into its provider's own shape.
 */
import { StreamError } from '../../errors.js'
import type { ChatMessage, FilePart, MessagePart, ToolDefinition, ToolPart } from '../../session/message.js'

/**
 * The error for input a provider does not take (a PDF to Ollama, audio to Anthropic), thrown
 * before any request is made: kind `provider`, code `unsupported_input`. It is not retried.
 */
export function unsupportedInput(provider: string, what: string, takes: string): StreamError {
  return new StreamError('provider', `${provider} does not take ${what}; it takes ${takes}`, {
    code: 'unsupported_input',
  })
}

/**
 * A message's parts. A message built by hand with `content` and no parts is read as one text
 * part, so a plain `{ role, content }` history still goes out.
 */
export function partsOf(message: ChatMessage): readonly MessagePart[] {
  if (message.parts.length > 0 || !message.content) return message.parts
  return [{ type: 'text', text: message.content }]
}

/** The text parts of a message, joined: what a system prompt or a plain-text turn holds. */
export function textOf(message: ChatMessage): string {
  let text = ''
  for (const part of partsOf(message)) if (part.type === 'text') text += part.text
  return text
}

/**
 * An assistant message's tool rounds: its parts split at each `step-start`. Each round is one
 * provider answer, followed by the results of its tool calls.
 */
export function stepsOf(message: ChatMessage): MessagePart[][] {
  const steps: MessagePart[][] = [[]]
  for (const part of partsOf(message)) {
    if (part.type === 'step-start') steps.push([])
    else steps[steps.length - 1]?.push(part)
  }
  return steps
}

/** How a tool call ended, as the model is told: its output, or an error text (failed, denied, never answered). */
export type ToolOutcome =
  | { type: 'output'; output: unknown }
  | { type: 'error'; text: string }
  | { type: 'denied'; text: string }

/**
 * The outcome of a tool call, or `undefined` for a call whose arguments were cut off
 * (`input-streaming`), which is not sent at all. A call still waiting (`input-available`,
 * `approval-requested`) when the conversation went on is sent as not run, since every
 * provider rejects a call without its result.
 */
export function toolOutcome(part: ToolPart): ToolOutcome | undefined {
  switch (part.state) {
    case 'input-streaming':
      return undefined
    case 'output-available':
      return { type: 'output', output: part.output }
    case 'output-error':
      return { type: 'error', text: part.errorText ?? 'The tool call failed.' }
    case 'output-denied':
      return { type: 'denied', text: part.errorText ?? 'The user denied this tool call.' }
    default:
      return { type: 'error', text: 'The tool call was not run: the conversation went on without its result.' }
  }
}

/** A tool outcome as text, for providers whose tool results are strings. */
export function outcomeText(outcome: ToolOutcome): string {
  return outcome.type === 'output' ? jsonText(outcome.output) : outcome.text
}

/** A value as the text a model reads: strings as they are, anything else as JSON. */
export function jsonText(value: unknown): string {
  if (typeof value === 'string') return value
  return JSON.stringify(value ?? null)
}

/** The tool definitions as `[name, definition]` pairs, in the order the app listed them. */
export function toolEntries(tools: Readonly<Record<string, ToolDefinition>> | undefined): [string, ToolDefinition][] {
  return tools === undefined ? [] : Object.entries(tools)
}

/** An attached file, as its bytes (base64) or as the URL where the provider can fetch it. */
export type FileSource =
  | { kind: 'data'; mediaType: string; base64: string; filename?: string }
  | { kind: 'url'; mediaType: string; url: string; filename?: string }

/** A file part's content: a `data:` URL as base64, an `https:` URL as it is. */
export function fileSource(part: FilePart): FileSource {
  const filename = part.filename !== undefined && { filename: part.filename }
  const data = parseDataUrl(part.url)
  if (data) return { kind: 'data', mediaType: part.mediaType || data.mediaType, base64: data.base64, ...filename }
  return { kind: 'url', mediaType: part.mediaType, url: part.url, ...filename }
}

/** A file as a `data:` URL (OpenAI's `image_url` and `file_data` take it so). */
export function dataUrl(source: Extract<FileSource, { kind: 'data' }>): string {
  return `data:${source.mediaType};base64,${source.base64}`
}

/** A text file's content as text. */
export function decodedText(base64: string): string {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return new TextDecoder().decode(bytes)
}

export function isTextFile(mediaType: string): boolean {
  return mediaType.startsWith('text/')
}

/**
 * RFC 2397: `data:[<mediatype>][;base64],<data>`. Data that is not base64 is percent-encoded
 * text, turned into base64 here so builders handle one form.
 */
function parseDataUrl(url: string): { mediaType: string; base64: string } | undefined {
  if (!url.startsWith('data:')) return undefined
  const comma = url.indexOf(',')
  if (comma === -1) return undefined
  const meta = url.slice(5, comma)
  const body = url.slice(comma + 1)
  const base64 = meta.endsWith(';base64')
  const mediaType = (base64 ? meta.slice(0, -7) : meta).split(';')[0] || 'text/plain'
  return { mediaType, base64: base64 ? body : bytesToBase64(new TextEncoder().encode(decodeURIComponent(body))) }
}

function bytesToBase64(bytes: Uint8Array): string {
  // String.fromCharCode takes its arguments on the stack: a chunk at a time keeps big files under its limit.
  let binary = ''
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000))
  }
  return btoa(binary)
}

/**
 * The conversation with every `blob:` file read into a `data:` URL: a blob URL means nothing
 * outside the page that made it. Messages without one are returned as they are, unread.
 */
export async function withReadableFiles(messages: readonly ChatMessage[]): Promise<readonly ChatMessage[]> {
  if (!messages.some((message) => message.parts.some(isBlobFile))) return messages
  return Promise.all(
    messages.map(async (message) => {
      if (!message.parts.some(isBlobFile)) return message
      const parts = await Promise.all(
        message.parts.map(async (part) => (isBlobFile(part) ? { ...part, url: await readBlobUrl(part) } : part)),
      )
      return { ...message, parts }
    }),
  )
}

function isBlobFile(part: MessagePart): part is FilePart {
  return part.type === 'file' && part.url.startsWith('blob:')
}

async function readBlobUrl(part: FilePart): Promise<string> {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await (await fetch(part.url)).arrayBuffer())
  } catch (error) {
    const name = part.filename ?? part.url
    throw new StreamError('network', `The attached file ${name} could not be read (was its blob URL revoked?)`, {
      cause: error,
    })
  }
  return `data:${part.mediaType};base64,${bytesToBase64(bytes)}`
}
