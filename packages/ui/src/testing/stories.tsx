/**
 * What the stories share: a mocked model behind MSW (the service worker in Storybook, `setupServer`
 * in `stories.test.tsx`), the answers it gives, and a harness that streams one answer into the
 * components that show a single message.
 */
import { type ChatMessage, openaiCompatible, type Transport } from '@rivulet/core'
import { openaiChatHandler, type StreamHandlerOptions, type StreamTiming, splitTokens } from '@rivulet/msw'
import { type UseStreamingChatOptions, type UseStreamingChatResult, useStreamingChat } from '@rivulet/react'
import type { Decorator } from '@storybook/react-vite'
import { type ReactNode, useEffect, useRef } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import type { TextBlock } from '../blocks.js'

/** Same origin as the page, so the request never leaves it: MSW answers it. */
export const MOCK_BASE_URL = '/mock/v1'

/** The transport every story uses: OpenAI Chat Completions against the mocked model. */
export function mockTransport(): Transport {
  return openaiCompatible({ baseURL: MOCK_BASE_URL, model: 'rivulet-story' })
}

const defaultTransport = mockTransport()

/**
 * The mocked model: an OpenAI-compatible streaming endpoint at `MOCK_BASE_URL`. Jitter is seeded,
 * so a story streams the same way every time.
 */
export function mockModel(options: StreamHandlerOptions) {
  return openaiChatHandler({
    url: `*${MOCK_BASE_URL}/chat/completions`,
    ...options,
    timing: { seed: 7, ...options.timing },
  })
}

/** Handlers in the shape msw-storybook-addon reads from `parameters.msw`. */
export const msw = (...handlers: ReturnType<typeof mockModel>[]) => ({ msw: { handlers } })

export const TIMING = {
  fast: { ttftMs: 200, tokensPerSecond: 90, jitter: 0.3 },
  steady: { ttftMs: 400, tokensPerSecond: 30, jitter: 0.3 },
  slow: { ttftMs: 1500, tokensPerSecond: 5, jitter: 0.4 },
  /** For pieces of several tokens: each lands at once, then nothing for a while. */
  bursty: { ttftMs: 300, tokensPerSecond: 2.5, jitter: 0.8 },
} satisfies Record<string, StreamTiming>

/**
 * `text` in pieces of `size` tokens, streamed one piece at a time: a provider or proxy that
 * buffers, so text lands in bursts with gaps between them.
 */
export function bursts(text: string, size: number): string[] {
  const tokens = splitTokens(text)
  const pieces: string[] = []
  for (let start = 0; start < tokens.length; start += size) pieces.push(tokens.slice(start, start + size).join(''))
  return pieces
}

/** How many tokens the mocked model counts for `text` (its usage report). */
export const tokenCount = (text: string) => splitTokens(text).length

export const PROMPT = 'How does Rivulet show a streamed answer?'

export const ANSWER =
  'Streaming keeps people reading while the model is still writing. Rivulet evens out bursty ' +
  'deliveries into a steady flow of text, so nothing jumps. Screen readers hear each finished ' +
  'sentence once, never single tokens.'

export const SLOW_ANSWER = 'A slow connection still feels alive. Each word appears as soon as it arrives.'

/** The mocked model's answers most stories share: at a fast pace, a slow one, and in bursts. */
export const MOCKED = {
  fast: () => msw(mockModel({ script: { text: ANSWER }, timing: TIMING.fast })),
  slow: () => msw(mockModel({ script: { text: SLOW_ANSWER }, timing: TIMING.slow })),
  /** Eight tokens at a time, with usage as the provider would report it. */
  bursty: () =>
    msw(
      mockModel({
        script: { text: bursts(ANSWER, 8), usage: { outputTokens: tokenCount(ANSWER) } },
        timing: TIMING.bursty,
      }),
    ),
  /** `INTERRUPTED_ANSWER` stalls for good after its first `STALLED_AFTER` tokens. */
  stalled: () =>
    msw(
      mockModel({
        script: { text: INTERRUPTED_ANSWER },
        timing: TIMING.steady,
        fault: { type: 'stall', afterTokens: STALLED_AFTER, ms: 600_000 },
      }),
    ),
}

const STALLED_AFTER = 12

/**
 * For `MOCKED.stalled()`: waits until `answer` shows the tokens that came before the stall,
 * then presses Stop.
 */
export async function stopWhenStalled(
  canvasElement: HTMLElement,
  answer = () => canvasElement.querySelector('[data-rivulet="message-content"]'),
) {
  const partial = firstTokens(INTERRUPTED_ANSWER, STALLED_AFTER)
  await waitFor(() => expect(answer()?.textContent).toBe(partial), { timeout: 5000 })
  await userEvent.click(within(canvasElement).getByRole('button', { name: 'Stop' }))
}

export const SKY_PROMPT = 'Why is the sky blue?'

export const REASONING =
  'The user asks why the sky is blue. The short answer is Rayleigh scattering: shorter ' +
  'wavelengths scatter more. Keep it concrete and brief.'

export const REASONED_ANSWER =
  'Sunlight is scattered by the molecules in the air, and blue light, with its short wavelength, ' +
  'is scattered the most. That scattered blue reaches your eyes from every part of the sky.'

export const TOOL_PREAMBLE = 'Let me check the weather in both cities.'

export const TOOL_CALLS = [
  { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } },
  { name: 'get_weather', args: { city: 'Tokyo', unit: 'celsius' } },
]

/** Text that a fault cuts short: the part before the fault stays on screen. */
export const INTERRUPTED_ANSWER =
  'Partial answers stay on screen when a stream fails. Everything that arrived before the ' +
  'failure is kept, and the error says what went wrong.'

/** The first `count` tokens of `text`: what a stream cut after `count` tokens has shown. */
export const firstTokens = (text: string, count: number) => splitTokens(text).slice(0, count).join('')

export const JAPANESE =
  'ストリーミングされた文章は、届いた順に滑らかに表示されます。文字が途中で切れることはありません。' +
  '読み上げソフトには、文が終わるたびに一度だけ伝えられます。'

export const CHINESE = '流式输出会平稳地显示在屏幕上，不会出现半个字符。每一句话结束后，屏幕阅读器只朗读一次。'

export const ARABIC =
  'يتدفق النص كلمة بكلمة ويظهر للقارئ بسلاسة. لا تنقطع الحروف في منتصف الكلمة. ' +
  'تُقرأ كل جملة مكتملة لقارئ الشاشة مرة واحدة فقط.'

export const HEBREW = 'הטקסט זורם מילה אחר מילה ומוצג לקורא בצורה חלקה. כל משפט שהושלם מוקרא לקורא המסך פעם אחת בלבד.'

export const MARKDOWN = `# Streaming answers, block by block

Markdown arrives **one token at a time**, so a renderer sees half a list, half a sentence, or a code fence that has not closed yet. \`renderBlock\` hands it the text in blocks: finished blocks render once, and only the block still growing renders again.

## What this story shows

- Headings, paragraphs and lists render as each block completes.
- A fenced code block stays one block, blank lines included.
- Finished blocks are never parsed again while the answer grows.

## A code sample

\`\`\`ts
import { createChatSession, openaiCompatible } from '@rivulet/core'

const chat = createChatSession({
  transport: openaiCompatible({ model: 'gpt-4o-mini' }),
})

await chat.send('Hello!')
\`\`\`

## Why blocks

1. Parsing the whole answer on every token costs time that grows with the answer.
2. A complete block keeps its exact text, so memoizing on it is safe.
3. Only the last block can change, and it is usually short.

## Reading a long answer

Long answers are where smooth streaming matters most. A reader follows the text as it appears, and a jump of a whole paragraph at once breaks their place. The typing effect paces the text by how much is waiting: when a burst lands, it speeds up; when the stream is slow, it shows each piece as it comes.

The text is never more than a moment behind what arrived, so a fast model does not look slow. When the stream ends or is stopped, the rest appears at once.

Scrolling follows the new text until the reader scrolls up to read something earlier. Scrolling back to the bottom follows again.

## Summary

Stream the text, render it in blocks, and let the reader keep their place. That is all there is to it.`

/** The answer a single-message story shows: the last assistant message, once there is one. */
export function answerOf(chat: UseStreamingChatResult): ChatMessage | undefined {
  const last = chat.messages.at(-1)
  return last?.role === 'assistant' ? last : undefined
}

export interface LiveAnswerProps extends Partial<UseStreamingChatOptions> {
  /** What is asked when the story mounts. */
  prompt?: string
  children(chat: UseStreamingChatResult): ReactNode
}

/**
 * Asks the mocked model once when mounted and hands the live chat to `children`, with Stop and
 * Replay buttons: the harness for components that show one answer, its progress or its stats.
 */
export function LiveAnswer({ prompt = PROMPT, children, ...options }: LiveAnswerProps) {
  const chat = useStreamingChat({ transport: defaultTransport, ...options })
  const asked = useRef(false)
  const { send } = chat
  useEffect(() => {
    if (asked.current) return
    asked.current = true
    // A failed answer shows as its status; the promise only rejects while a stream is live.
    send(prompt).catch(() => {})
  }, [send, prompt])
  return (
    <div style={{ display: 'grid', gap: 16, maxWidth: '40rem' }}>
      {children(chat)}
      {chat.error && <p role="alert">{`${chat.error.kind} error: ${chat.error.message}`}</p>}
      <div style={{ display: 'flex', gap: 8 }}>
        <button type="button" onClick={chat.abort} disabled={!chat.isStreaming}>
          Stop
        </button>
        <button type="button" onClick={() => chat.regenerate().catch(() => {})} disabled={chat.isStreaming}>
          Replay
        </button>
      </div>
    </div>
  )
}

/**
 * A deliberately small markdown renderer for `renderBlock`: headings, lists, fenced code, bold and
 * inline code, as React elements (never HTML strings). Real apps pass their own renderer.
 */
export function renderMarkdownBlock({ text, fenced }: TextBlock): ReactNode {
  if (fenced) {
    const lines = text.split('\n')
    const closed = lines.length > 1 && /^\s*(```|~~~)/.test(lines.at(-1) ?? '')
    return (
      <pre>
        <code>{lines.slice(1, closed ? -1 : undefined).join('\n')}</code>
      </pre>
    )
  }
  const heading = /^(#{1,6})\s+(.*)$/.exec(text)
  if (heading) {
    // The story's page title is the h1: a markdown `#` becomes an h2.
    const Tag = `h${Math.min(6, heading[1]!.length + 1)}` as 'h2'
    return <Tag>{inline(heading[2]!)}</Tag>
  }
  const lines = text.split('\n')
  if (lines.every((line) => /^\s*[-*]\s/.test(line))) {
    return (
      <ul>
        {lines.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of a block only grow at the end
          <li key={index}>{inline(line.replace(/^\s*[-*]\s/, ''))}</li>
        ))}
      </ul>
    )
  }
  if (lines.every((line) => /^\s*\d+\.\s/.test(line))) {
    return (
      <ol>
        {lines.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of a block only grow at the end
          <li key={index}>{inline(line.replace(/^\s*\d+\.\s/, ''))}</li>
        ))}
      </ol>
    )
  }
  return <p>{inline(text)}</p>
}

function inline(text: string): ReactNode[] {
  // Split with a capture group: odd indexes are the **bold** and `code` spans.
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/).map((part, index) => {
    if (index % 2 === 0) return part
    const Tag = part.startsWith('`') ? 'code' : 'strong'
    const inner = part.startsWith('`') ? part.slice(1, -1) : part.slice(2, -2)
    // biome-ignore lint/suspicious/noArrayIndexKey: the spans of a block's text, in order
    return <Tag key={index}>{inner}</Tag>
  })
}

/** Wraps a story in an element with `lang` (and `dir`), as an app shows text in that language. */
export function inLanguage(lang: string, dir: 'ltr' | 'rtl' = 'ltr'): Decorator {
  return (Story) => (
    <div lang={lang} dir={dir}>
      <Story />
    </div>
  )
}
