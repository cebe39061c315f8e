import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, waitFor } from 'storybook/test'
import { StreamingMessage } from './streaming-message.js'
import {
  ANSWER,
  ARABIC,
  answerOf,
  CHINESE,
  HEBREW,
  INTERRUPTED_ANSWER,
  inLanguage,
  JAPANESE,
  LiveAnswer,
  MARKDOWN,
  MOCKED,
  mockModel,
  msw,
  REASONED_ANSWER,
  REASONING,
  renderMarkdownBlock,
  SKY_PROMPT,
  stopWhenStalled,
  TIMING,
} from './testing/stories.js'

/**
 * One answer streamed from the mocked model into `<StreamingMessage message={…} />`. Stop and
 * Replay drive the stream; each story's handler sets the answer, its pace and its faults.
 */
const meta = {
  title: 'Components/StreamingMessage',
  component: StreamingMessage,
  args: { animate: true },
  argTypes: {
    message: { control: false },
    renderBlock: { control: false },
  },
  render: (args) => (
    <LiveAnswer retry={false}>{(chat) => <StreamingMessage {...args} message={answerOf(chat)} />}</LiveAnswer>
  ),
  parameters: msw(mockModel({ script: { text: ANSWER }, timing: TIMING.steady })),
} satisfies Meta<typeof StreamingMessage>

export default meta
type Story = StoryObj<typeof meta>

export const Fast: Story = {
  parameters: MOCKED.fast(),
}

export const Slow: Story = {
  parameters: MOCKED.slow(),
}

/** Eight tokens land at once, then nothing for a while: the typing evens it out. */
export const Bursty: Story = {
  parameters: MOCKED.bursty(),
}

/** The model thinks first: its reasoning streams into a second message, then the answer. */
export const Reasoning: Story = {
  render: (args) => (
    <LiveAnswer prompt={SKY_PROMPT} retry={false}>
      {(chat) => {
        const answer = answerOf(chat)
        return (
          <>
            <details open>
              <summary>Reasoning</summary>
              <StreamingMessage
                text={answer?.reasoning ?? ''}
                streaming={chat.isStreaming && !answer?.content}
                labels={{ done: 'Reasoning complete.' }}
              />
            </details>
            <StreamingMessage {...args} message={answer} />
          </>
        )
      }}
    </LiveAnswer>
  ),
  parameters: msw(mockModel({ script: { reasoning: REASONING, text: REASONED_ANSWER }, timing: TIMING.steady })),
}

/** Markdown through `renderBlock`: finished blocks render once, only the growing one again. */
export const LongMarkdown: Story = {
  args: { renderBlock: renderMarkdownBlock },
  parameters: msw(
    mockModel({ script: { text: MARKDOWN }, timing: { ttftMs: 300, tokensPerSecond: 150, jitter: 0.3 } }),
  ),
}

export const Japanese: Story = {
  decorators: [inLanguage('ja')],
  parameters: msw(mockModel({ script: { text: JAPANESE }, timing: TIMING.steady })),
}

export const Chinese: Story = {
  decorators: [inLanguage('zh')],
  parameters: msw(mockModel({ script: { text: CHINESE }, timing: TIMING.steady })),
}

export const Arabic: Story = {
  decorators: [inLanguage('ar', 'rtl')],
  parameters: msw(mockModel({ script: { text: ARABIC }, timing: TIMING.steady })),
}

export const Hebrew: Story = {
  decorators: [inLanguage('he', 'rtl')],
  parameters: msw(mockModel({ script: { text: HEBREW }, timing: TIMING.steady })),
}

/** With `prefers-reduced-motion: reduce` (emulated here) text shows as it arrives, untyped. */
export const ReducedMotion: Story = {
  globals: { motion: 'reduce' },
  parameters: MOCKED.bursty(),
}

/** The provider sends an error event mid-answer: the text so far stays, the message fails. */
export const ProviderError: Story = {
  parameters: msw(
    mockModel({
      script: { text: INTERRUPTED_ANSWER },
      timing: TIMING.steady,
      fault: { type: 'provider-error', afterTokens: 12, message: 'The model is overloaded.', code: 'overloaded' },
    }),
  ),
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
}

/**
 * HTTP 429 before anything streams (retries off, so the failure shows at once). Tagged like the
 * ChatWindow stories with HTTP errors: the browser logs the 429 response to the console.
 */
export const RateLimited: Story = {
  tags: ['http-error-response'],
  parameters: msw(mockModel({ fault: { type: 'http', status: 429, headers: { 'retry-after': '20' } } })),
}

/** The stream stalls after a few tokens and the user presses Stop: the partial text stays. */
export const Aborted: Story = {
  parameters: MOCKED.stalled(),
  play: async ({ canvasElement }) => {
    await stopWhenStalled(canvasElement)
    await waitFor(() =>
      expect(canvasElement.querySelector('[data-rivulet="streaming-message"]')).toHaveAttribute(
        'data-status',
        'aborted',
      ),
    )
  },
}
