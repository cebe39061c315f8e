import type { Meta, StoryObj } from '@storybook/react-vite'
import { StreamStats } from './stream-stats.js'
import { StreamingMessage } from './streaming-message.js'
import {
  answerOf,
  INTERRUPTED_ANSWER,
  LiveAnswer,
  MOCKED,
  mockModel,
  msw,
  REASONED_ANSWER,
  REASONING,
  SKY_PROMPT,
  TIMING,
} from './testing/stories.js'

/** TTFT, tokens/s, tokens and elapsed time of one answer streamed from the mocked model. */
const meta = {
  title: 'Components/StreamStats',
  component: StreamStats,
  // The render passes the live chat as the source.
  args: { source: undefined, sparkline: true },
  argTypes: { source: { control: false } },
  render: (args, { parameters }) => (
    <LiveAnswer prompt={parameters.prompt} retry={false}>
      {(chat) => (
        <>
          <StreamStats {...args} source={chat} />
          <StreamingMessage message={answerOf(chat)} />
        </>
      )}
    </LiveAnswer>
  ),
} satisfies Meta<typeof StreamStats>

export default meta
type Story = StoryObj<typeof meta>

export const Fast: Story = {
  parameters: MOCKED.fast(),
}

/** A long wait for the first token, then a slow pace. */
export const Slow: Story = {
  parameters: MOCKED.slow(),
}

/** Uneven delivery shows in the sparkline. */
export const Bursty: Story = {
  parameters: MOCKED.bursty(),
}

/** The first reasoning token counts as the first token. */
export const Reasoning: Story = {
  parameters: {
    prompt: SKY_PROMPT,
    ...msw(mockModel({ script: { reasoning: REASONING, text: REASONED_ANSWER }, timing: TIMING.steady })),
  },
}

/** The stats stop where the stream did. */
export const Dropped: Story = {
  parameters: msw(
    mockModel({
      script: { text: INTERRUPTED_ANSWER },
      timing: TIMING.steady,
      fault: { type: 'drop', afterTokens: 12 },
    }),
  ),
}
