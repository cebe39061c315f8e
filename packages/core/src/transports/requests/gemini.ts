/**
 * The `generateContent` request body for a conversation.
 * https://ai.google.dev/api/generate-content#request-body
 *
 * Assistant turns go as role `model`, system messages as `systemInstruction`. Each tool round is
 * one `model` turn (thoughts, text, `functionCall`s) and the results follow in a `user` turn as
 * `functionResponse`s, linked by id and name. Every part goes back with the `thoughtSignature` it
 * came with, on that same part. https://ai.google.dev/gemini-api/docs/thought-signatures
 * Gemini's own code execution goes back as the `executableCode` and `codeExecutionResult` parts
 * it came as. Tools are declared with `parametersJsonSchema`, which takes JSON Schema as it is
 * (`parameters` takes only an OpenAPI subset).
 */
import type { ChatMessage, MessagePart, ProviderMetadata } from '../../session/message.js'
import type { TransportRequest } from '../transport.js'
import { fileSource, partsOf, stepsOf, textOf, toolEntries, toolOutcome, unsupportedInput } from './history.js'

export type GeminiPart =
  | { text: string; thought?: true; thoughtSignature?: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { id: string; name: string; args: unknown }; thoughtSignature?: string }
  | { functionResponse: { id: string; name: string; response: Record<string, unknown> } }
  | { executableCode: unknown; thoughtSignature?: string }
  | { codeExecutionResult: unknown }

export interface GeminiContent {
  role: 'user' | 'model'
  parts: GeminiPart[]
}

export interface GeminiFunctionDeclaration {
  name: string
  description?: string
  parametersJsonSchema: unknown
}

export interface GeminiRequestBody {
  contents: GeminiContent[]
  systemInstruction?: { parts: { text: string }[] }
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[]
  generationConfig?: { maxOutputTokens: number }
}

const PROVIDER = 'Gemini'
/** The name Gemini's code execution tool goes by (the decoder names its parts so). */
const CODE_EXECUTION = 'code_execution'
const TAKES = 'images, audio, video, PDFs and text'

/**
 * @example
 * geminiRequest({ messages, tools }, { maxTokens: 1024 }) // { contents: [...], tools: [{ functionDeclarations }] }
 */
export function geminiRequest(
  request: Pick<TransportRequest, 'messages' | 'tools'>,
  options: { maxTokens?: number } = {},
): GeminiRequestBody {
  const system: string[] = []
  const contents: GeminiContent[] = []
  const push = (role: 'user' | 'model', parts: GeminiPart[]) => {
    if (parts.length === 0) return
    const last = contents[contents.length - 1]
    if (last?.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
  }
  for (const message of request.messages) {
    if (message.role === 'system') {
      const text = textOf(message)
      if (text !== '') system.push(text)
    } else if (message.role === 'user') push('user', userParts(message))
    else {
      for (const step of stepsOf(message)) {
        const { parts, responses } = modelStep(step)
        // A failed or stopped round with nothing in it is not sent.
        if (parts.length === 0) continue
        push('model', parts)
        push('user', responses)
      }
    }
  }
  const declarations = toolEntries(request.tools).map(
    ([name, tool]): GeminiFunctionDeclaration => ({
      name,
      ...(tool.description !== undefined && { description: tool.description }),
      parametersJsonSchema: tool.inputSchema,
    }),
  )
  return {
    contents,
    ...(system.length > 0 && { systemInstruction: { parts: [{ text: system.join('\n\n') }] } }),
    ...(declarations.length > 0 && { tools: [{ functionDeclarations: declarations }] }),
    ...(options.maxTokens !== undefined && { generationConfig: { maxOutputTokens: options.maxTokens } }),
  }
}

function userParts(message: ChatMessage): GeminiPart[] {
  const parts: GeminiPart[] = []
  for (const part of partsOf(message)) {
    if (part.type === 'text' && part.text !== '') parts.push({ text: part.text })
    else if (part.type === 'file') parts.push(filePart(part))
  }
  return parts
}

function filePart(part: Extract<MessagePart, { type: 'file' }>): GeminiPart {
  const source = fileSource(part)
  const { mediaType } = source
  if (!/^(image|audio|video|text)\//.test(mediaType) && mediaType !== 'application/pdf') {
    throw unsupportedInput(PROVIDER, `${mediaType} files`, TAKES)
  }
  return source.kind === 'url'
    ? { fileData: { mimeType: mediaType, fileUri: source.url } }
    : { inlineData: { mimeType: mediaType, data: source.base64 } }
}

/** One tool round: the model turn's parts in order, and the function responses for the user turn after it. */
function modelStep(step: readonly MessagePart[]): { parts: GeminiPart[]; responses: GeminiPart[] } {
  const parts: GeminiPart[] = []
  const responses: GeminiPart[] = []
  let said = false
  for (const part of step) {
    switch (part.type) {
      case 'reasoning': {
        const signature = signatureOf(part.providerMetadata)
        if (part.text === '' && signature === undefined) break
        parts.push({ text: part.text, thought: true, ...(signature !== undefined && { thoughtSignature: signature }) })
        break
      }
      case 'text': {
        const signature = signatureOf(part.providerMetadata)
        if (part.text === '' && signature === undefined) break
        if (part.text !== '') said = true
        parts.push({ text: part.text, ...(signature !== undefined && { thoughtSignature: signature }) })
        break
      }
      case 'file': {
        // An image the model made, as Gemini sent it.
        const source = fileSource(part)
        if (source.kind === 'data') parts.push({ inlineData: { mimeType: source.mediaType, data: source.base64 } })
        else parts.push({ fileData: { mimeType: source.mediaType, fileUri: source.url } })
        said = true
        break
      }
      case 'tool': {
        const signature = signatureOf(part.providerMetadata)
        const signed = signature !== undefined && { thoughtSignature: signature }
        if (part.providerExecuted) {
          // Gemini's code execution is sent back as it came; its other tools (server-side MCP) are not.
          if (part.name !== CODE_EXECUTION || part.state !== 'output-available') break
          parts.push({ executableCode: part.input ?? {}, ...signed }, { codeExecutionResult: part.output ?? {} })
          said = true
          break
        }
        const outcome = toolOutcome(part)
        if (outcome === undefined) break
        said = true
        parts.push({ functionCall: { id: part.toolCallId, name: part.name, args: part.input ?? {} }, ...signed })
        // `output` for a result, `error` for a failure, as the API reference names them.
        const response = outcome.type === 'output' ? { output: outcome.output ?? null } : { error: outcome.text }
        responses.push({ functionResponse: { id: part.toolCallId, name: part.name, response } })
        break
      }
    }
  }
  return { parts: said ? parts : [], responses }
}

function signatureOf(metadata: ProviderMetadata | undefined): string | undefined {
  const signature = metadata?.google?.thoughtSignature
  return typeof signature === 'string' ? signature : undefined
}
