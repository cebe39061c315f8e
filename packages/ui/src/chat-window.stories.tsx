import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { ChatWindow, type ChatWindowProps } from './chat-window.js'
import {
  ANSWER,
  ARABIC,
  HEBREW,
  INTERRUPTED_ANSWER,
  inLanguage,
  JAPANESE,
  MARKDOWN,
  MOCKED,
  mockModel,
  mockTransport,
  msw,
  PROMPT,
  REASONED_ANSWER,
  REASONING,
  renderMarkdownBlock,
  SKY_PROMPT,
  stopWhenStalled,
  TIMING,
  TOOL_CALLS,
  TOOL_PREAMBLE,
} from './testing/stories.js'

/** Types a message into the composer and sends it, as a user does. */
async function ask(canvasElement: HTMLElement, question = PROMPT) {
  const canvas = within(canvasElement)
  await userEvent.type(canvas.getByRole('textbox', { name: 'Message' }), question)
  await userEvent.click(canvas.getByRole('button', { name: 'Send' }))
}

/** The props of a ChatWindow that runs its own session (not the ones that take a `chat`). */
type OwnSessionProps = Extract<ChatWindowProps, { chat?: undefined }>

/**
 * The whole chat with its own session, against the mocked model. Each story but Empty sends the
 * first message in its `play`; type more to go on (every message gets the story's answer).
 *
 * Stories tagged `http-error-response` get an HTTP error status from the mocked model. Browsers
 * log every such response to the console ("Failed to load resource: … 429"), mocked or not: for
 * them that line is expected, and a console check can tell them by the tag (it is in `index.json`).
 */
const meta: Meta<OwnSessionProps> = {
  title: 'Components/ChatWindow',
  component: ChatWindow,
  args: {
    transport: mockTransport(),
    // Seeded retry jitter: the same waits every time.
    random: () => 0.5,
    style: { height: 560, maxWidth: 720 },
  },
  argTypes: {
    transport: { control: false },
    random: { control: false },
    renderBlock: { control: false },
    initialMessages: { control: false },
    chat: { control: false },
  },
  parameters: msw(mockModel({ script: { text: ANSWER }, timing: TIMING.steady })),
}

export default meta
type Story = StoryObj<OwnSessionProps>

const askPrompt: Story['play'] = ({ canvasElement }) => ask(canvasElement)

/** Before the first message: the composer, and nothing sent. */
export const Empty: Story = {}

export const Fast: Story = {
  parameters: MOCKED.fast(),
  play: askPrompt,
}

export const Slow: Story = {
  parameters: MOCKED.slow(),
  play: askPrompt,
}

/** Eight tokens land at once, then nothing for a while: the typing evens it out. */
export const Bursty: Story = {
  parameters: MOCKED.bursty(),
  play: askPrompt,
}

/** Reasoning streams first, into a closed "Reasoning" disclosure. */
export const Reasoning: Story = {
  parameters: msw(mockModel({ script: { reasoning: REASONING, text: REASONED_ANSWER }, timing: TIMING.steady })),
  play: ({ canvasElement }) => ask(canvasElement, SKY_PROMPT),
}

/** The model calls two tools; their arguments stream in and show as JSON. */
export const ToolCalls: Story = {
  parameters: msw(mockModel({ script: { text: TOOL_PREAMBLE, toolCalls: TOOL_CALLS }, timing: TIMING.steady })),
  play: ({ canvasElement }) => ask(canvasElement, 'What is the weather in Paris and Tokyo?'),
}

/** Markdown through `renderBlock`: finished blocks render once, only the growing one again. */
export const LongMarkdown: Story = {
  args: { renderBlock: renderMarkdownBlock },
  parameters: msw(
    mockModel({ script: { text: MARKDOWN }, timing: { ttftMs: 300, tokensPerSecond: 150, jitter: 0.3 } }),
  ),
  play: askPrompt,
}

export const Japanese: Story = {
  decorators: [inLanguage('ja')],
  args: {
    labels: {
      chat: 'チャット',
      messages: 'メッセージ一覧',
      input: 'メッセージ',
      placeholder: 'メッセージを送信',
      send: '送信',
      stop: '停止',
      regenerate: '再生成',
      retry: '再試行',
      reasoning: '推論',
      error: 'エラーが発生しました',
      done: '応答が完了しました。',
      stopped: '応答を停止しました。',
      failed: '応答に失敗しました。',
    },
  },
  parameters: msw(mockModel({ script: { text: JAPANESE }, timing: TIMING.steady })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: 'メッセージ' }), 'ストリーミングとは？')
    await userEvent.click(canvas.getByRole('button', { name: '送信' }))
  },
}

/** Right to left: the app sets `dir="rtl"`; the chat follows it. */
export const Arabic: Story = {
  decorators: [inLanguage('ar', 'rtl')],
  args: {
    labels: {
      chat: 'محادثة',
      messages: 'الرسائل',
      input: 'رسالة',
      placeholder: 'أرسل رسالة',
      send: 'إرسال',
      stop: 'إيقاف',
      regenerate: 'إعادة التوليد',
      retry: 'إعادة المحاولة',
      reasoning: 'التفكير',
      error: 'حدث خطأ',
      done: 'اكتمل الرد.',
      stopped: 'توقف الرد.',
      failed: 'فشل الرد.',
    },
  },
  parameters: msw(mockModel({ script: { text: ARABIC }, timing: TIMING.steady })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: 'رسالة' }), 'كيف يظهر النص؟')
    await userEvent.click(canvas.getByRole('button', { name: 'إرسال' }))
  },
}

export const Hebrew: Story = {
  decorators: [inLanguage('he', 'rtl')],
  args: {
    labels: {
      chat: 'צ׳אט',
      messages: 'הודעות',
      input: 'הודעה',
      placeholder: 'שלחו הודעה',
      send: 'שליחה',
      stop: 'עצירה',
      regenerate: 'יצירה מחדש',
      retry: 'ניסיון חוזר',
      reasoning: 'חשיבה',
      error: 'משהו השתבש',
      done: 'התשובה הושלמה.',
      stopped: 'התשובה נעצרה.',
      failed: 'התשובה נכשלה.',
    },
  },
  parameters: msw(mockModel({ script: { text: HEBREW }, timing: TIMING.steady })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: 'הודעה' }), 'איך הטקסט מוצג?')
    await userEvent.click(canvas.getByRole('button', { name: 'שליחה' }))
  },
}

/** With `prefers-reduced-motion: reduce` (emulated here) text shows as it arrives, untyped. */
export const ReducedMotion: Story = {
  globals: { motion: 'reduce' },
  parameters: MOCKED.bursty(),
  play: askPrompt,
}

/** The theme's dark scheme, forced with `data-theme="dark"`. */
export const DarkTheme: Story = {
  globals: { theme: 'dark' },
  parameters: msw(mockModel({ script: { reasoning: REASONING, text: REASONED_ANSWER }, timing: TIMING.steady })),
  play: ({ canvasElement }) => ask(canvasElement, SKY_PROMPT),
}

/** An earlier exchange, then a follow-up. */
export const Conversation: Story = {
  args: {
    initialMessages: [
      {
        id: 'earlier-question',
        role: 'user',
        parts: [{ type: 'text', text: 'Can a stream be stopped halfway?' }],
        content: 'Can a stream be stopped halfway?',
      },
      {
        id: 'earlier-answer',
        role: 'assistant',
        parts: [{ type: 'text', text: 'Yes. Stop keeps the text that arrived and marks the answer as stopped.' }],
        content: 'Yes. Stop keeps the text that arrived and marks the answer as stopped.',
        status: 'done',
      },
    ],
  },
  play: askPrompt,
}

/** HTTP 429 with Retry-After, retries off: the error and a Retry button. */
export const RateLimited: Story = {
  tags: ['http-error-response'],
  args: { retry: false },
  parameters: msw(mockModel({ fault: { type: 'http', status: 429, headers: { 'retry-after': '20' } } })),
  play: askPrompt,
}

/** HTTP 429 once, then an answer: the session waits as Retry-After says and tries again. */
export const RecoversAfterRateLimit: Story = {
  tags: ['http-error-response'],
  parameters: msw(
    mockModel({ fault: { type: 'http', status: 429, headers: { 'retry-after-ms': '1500' } }, once: true }),
    mockModel({ script: { text: ANSWER }, timing: TIMING.steady }),
  ),
  play: askPrompt,
}

/** HTTP 500, retries off. */
export const ServerError: Story = {
  tags: ['http-error-response'],
  args: { retry: false },
  parameters: msw(mockModel({ fault: { type: 'http', status: 500 } })),
  play: askPrompt,
}

/** The provider sends an error event mid-answer: the text so far stays, with the error. */
export const ProviderError: Story = {
  parameters: msw(
    mockModel({
      script: { text: INTERRUPTED_ANSWER },
      timing: TIMING.steady,
      fault: { type: 'provider-error', afterTokens: 12, message: 'The model is overloaded.', code: 'overloaded' },
    }),
  ),
  play: askPrompt,
}

/** The connection drops mid-answer. */
export const Dropped: Story = {
  parameters: msw(
    mockModel({
      script: { text: INTERRUPTED_ANSWER },
      timing: TIMING.steady,
      fault: { type: 'drop', afterTokens: 12 },
    }),
  ),
  play: askPrompt,
}

/** The stream stalls after a few tokens and the user presses Stop: the partial text stays. */
export const Aborted: Story = {
  parameters: MOCKED.stalled(),
  play: async ({ canvasElement }) => {
    await ask(canvasElement)
    await stopWhenStalled(canvasElement, () =>
      canvasElement.querySelector('[data-role="assistant"] [data-rivulet="message-content"]'),
    )
    await waitFor(() => expect(within(canvasElement).getByRole('button', { name: 'Regenerate' })).toBeVisible())
  },
}
