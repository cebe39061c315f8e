import { useChat } from '@ai-sdk/react'
import { decode, openaiCompatible } from '@rivulet/core'
import { Markdown } from '@rivulet/markdown'
import { useStreamingChat } from '@rivulet/react'
import { StreamingMessage } from '@rivulet/ui'
import { DefaultChatTransport } from 'ai'
import { type CSSProperties, useEffect, useLayoutEffect, useState } from 'react'
import ReactMarkdown from 'react-markdown'
import remarkGfm from 'remark-gfm'
import { Streamdown } from 'streamdown'
import { AI_SDK_URL, OPENAI_BASE_URL, OPENAI_URL } from './mock.js'
import type { ContenderName } from './protocol.js'

const PROMPT = 'Write a long answer.'

/** Each contender hands the page a function that sends the prompt. */
export type Register = (send: () => unknown) => void

/** The text element each contender renders the answer into: the page watches its length. */
export const TEXT_SELECTOR: Record<ContenderName, string> = {
  rivulet: '[data-rivulet=message-content]',
  'rivulet-typing': '[data-rivulet=message-content]',
  aisdk: '[data-bench=text]',
  'aisdk-throttle': '[data-bench=text]',
  naive: '[data-bench=text]',
  'rivulet-markdown': '[data-bench=markdown]',
  streamdown: '[data-bench=markdown]',
  'react-markdown': '[data-bench=markdown]',
}

/** Called after each commit with the length of the markdown source it rendered. */
export type OnShown = (length: number) => void

type MarkdownRenderer = 'rivulet-markdown' | 'streamdown' | 'react-markdown'
const remarkPlugins = [remarkGfm]

/**
 * The markdown contenders: one stream through `useStreamingChat` (at most one commit per frame),
 * its text handed to each renderer as it is. The source text is not what the DOM shows, so the
 * page learns what was rendered from a layout effect: it runs once the commit's DOM is in place.
 */
export function MarkdownAnswer({
  renderer,
  register,
  onShown,
}: {
  renderer: MarkdownRenderer
  register: Register
  onShown: OnShown
}) {
  const chat = useStreamingChat({ transport: rivuletTransport })
  const { send } = chat
  useEffect(() => register(() => void send(PROMPT)), [send, register])
  const answer = chat.messages.findLast((message) => message.role === 'assistant')
  const text = answer?.content ?? ''
  const streaming = answer?.status === 'streaming'
  useLayoutEffect(() => onShown(text.length), [text, onShown])
  if (!answer) return null
  return (
    <div data-bench="markdown">
      {renderer === 'rivulet-markdown' ? (
        <Markdown text={text} streaming={streaming} />
      ) : renderer === 'streamdown' ? (
        <Streamdown isAnimating={streaming}>{text}</Streamdown>
      ) : (
        <ReactMarkdown remarkPlugins={remarkPlugins}>{text}</ReactMarkdown>
      )}
    </div>
  )
}

const rivuletTransport = openaiCompatible({ baseURL: OPENAI_BASE_URL, model: 'bench' })

/** useStreamingChat + <StreamingMessage>, with or without the typing effect. */
export function Rivulet({ animate, register }: { animate: boolean; register: Register }) {
  const chat = useStreamingChat({ transport: rivuletTransport })
  const { send } = chat
  useEffect(() => register(() => void send(PROMPT)), [send, register])
  const answer = chat.messages.findLast((message) => message.role === 'assistant')
  return answer ? <StreamingMessage message={answer} animate={animate} /> : null
}

const PRE_WRAP: CSSProperties = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }

/** The answer as the other contenders show it: the same element StreamingMessage renders its text into. */
function PlainAnswer({ text }: { text: string }) {
  return (
    <div data-bench="message">
      <span data-bench="text" style={PRE_WRAP}>
        {text}
      </span>
    </div>
  )
}

const aiSdkTransport = new DefaultChatTransport({ api: AI_SDK_URL })

/** @ai-sdk/react useChat, by default or with its `experimental_throttle`. */
export function AiSdk({ throttleMs, register }: { throttleMs?: number; register: Register }) {
  const { messages, sendMessage } = useChat({ transport: aiSdkTransport, experimental_throttle: throttleMs })
  useEffect(() => register(() => void sendMessage({ text: PROMPT })), [sendMessage, register])
  const answer = messages.findLast((message) => message.role === 'assistant')
  if (!answer) return null
  const text = answer.parts.map((part) => (part.type === 'text' ? part.text : '')).join('')
  return <PlainAnswer text={text} />
}

/** fetch + decode, and a state update per token. */
export function Naive({ register }: { register: Register }) {
  const [text, setText] = useState<string | undefined>(undefined)
  useEffect(
    () =>
      register(async () => {
        setText('')
        const response = await fetch(OPENAI_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: PROMPT }] }),
        })
        for await (const part of decode(response, { protocol: 'openai-chat' })) {
          if (part.type === 'text-delta') {
            const delta = part.text
            setText((before) => (before ?? '') + delta)
          }
        }
      }),
    [register],
  )
  return text === undefined ? null : <PlainAnswer text={text} />
}

export function Contender({ name, register, onShown }: { name: ContenderName; register: Register; onShown: OnShown }) {
  switch (name) {
    case 'rivulet':
      return <Rivulet animate={false} register={register} />
    case 'rivulet-typing':
      return <Rivulet animate register={register} />
    case 'aisdk':
      return <AiSdk register={register} />
    case 'aisdk-throttle':
      return <AiSdk throttleMs={50} register={register} />
    case 'naive':
      return <Naive register={register} />
    case 'rivulet-markdown':
    case 'streamdown':
    case 'react-markdown':
      return <MarkdownAnswer renderer={name} register={register} onShown={onShown} />
  }
}
