import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, waitFor, within } from 'storybook/test'
import { StreamProgressBar } from './stream-progress-bar.js'
import { StreamingMessage } from './streaming-message.js'
import {
  ANSWER,
  answerOf,
  INTERRUPTED_ANSWER,
  LiveAnswer,
  MOCKED,
  mockModel,
  msw,
  SLOW_ANSWER,
  stopWhenStalled,
  TIMING,
  tokenCount,
} from './testing/stories.js'

/**
 * The progress of one answer streamed from the mocked model, with the answer below it. With
 * `estimatedTokens` the bar is determinate; without, indeterminate.
 */
const meta = {
  title: 'Components/StreamProgressBar',
  component: StreamProgressBar,
  // The render passes the live chat as the source.
  args: { source: undefined },
  argTypes: { source: { control: false } },
  render: (args, { parameters }) => (
    <LiveAnswer retry={false} estimatedTokens={parameters.estimatedTokens}>
      {(chat) => (
        <>
          <StreamProgressBar {...args} source={chat} />
          <StreamingMessage message={answerOf(chat)} />
        </>
      )}
    </LiveAnswer>
  ),
} satisfies Meta<typeof StreamProgressBar>

export default meta
type Story = StoryObj<typeof meta>

/** The expected size is known, so the bar fills and says how long is left. */
export const Determinate: Story = {
  parameters: {
    estimatedTokens: tokenCount(ANSWER),
    ...msw(mockModel({ script: { text: ANSWER }, timing: TIMING.steady })),
  },
}

/** No estimate: the bar shows activity, not an amount. */
export const Indeterminate: Story = {
  parameters: msw(mockModel({ script: { text: ANSWER }, timing: TIMING.steady })),
}

export const Slow: Story = {
  parameters: {
    estimatedTokens: tokenCount(SLOW_ANSWER),
    ...MOCKED.slow(),
  },
}

export const Bursty: Story = {
  parameters: {
    estimatedTokens: tokenCount(ANSWER),
    ...MOCKED.bursty(),
  },
}

/** The connection drops: the bar stops where the answer did. */
export const Dropped: Story = {
  parameters: {
    estimatedTokens: tokenCount(INTERRUPTED_ANSWER),
    ...msw(
      mockModel({
        script: { text: INTERRUPTED_ANSWER },
        timing: TIMING.steady,
        fault: { type: 'drop', afterTokens: 12 },
      }),
    ),
  },
}

/** Stopped by the user while the stream stalls. */
export const Aborted: Story = {
  parameters: {
    estimatedTokens: tokenCount(INTERRUPTED_ANSWER),
    ...MOCKED.stalled(),
  },
  play: async ({ canvasElement }) => {
    await stopWhenStalled(canvasElement)
    await waitFor(() =>
      expect(within(canvasElement).getByRole('progressbar')).toHaveAttribute('data-status', 'aborted'),
    )
  },
}
