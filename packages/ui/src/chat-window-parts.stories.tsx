import type { ChatMessage, MessagePart, ToolDefinition } from '@rivulet/core'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { ChatWindow, type ChatWindowProps } from './chat-window.js'
import { ANSWER, MARKDOWN, mockModel, mockTransport, msw, PROMPT, TIMING } from './testing/stories.js'

type OwnSessionProps = Extract<ChatWindowProps, { chat?: undefined }>

/**
 * ChatWindow's message parts in each of their states: tool calls (arguments streaming, running,
 * awaiting approval, denied, failed), sources, files and images, attachments, versions, and a
 * long answer to scroll away from and come back to.
 */
const meta: Meta<OwnSessionProps> = {
  title: 'Components/ChatWindow/Parts',
  component: ChatWindow,
  args: {
    transport: mockTransport(),
    random: () => 0.5,
    style: { height: 560, maxWidth: 720 },
  },
  argTypes: {
    transport: { control: false },
    random: { control: false },
    initialMessages: { control: false },
    tools: { control: false },
  },
  parameters: msw(mockModel({ script: { text: ANSWER }, timing: TIMING.steady })),
}

export default meta
type Story = StoryObj<OwnSessionProps>

const canvasOf = (canvasElement: HTMLElement) => within(canvasElement)

async function ask(canvasElement: HTMLElement, question = PROMPT) {
  const canvas = canvasOf(canvasElement)
  await userEvent.type(canvas.getByRole('textbox', { name: 'Message' }), question)
  await userEvent.click(canvas.getByRole('button', { name: 'Send' }))
}

const textMessage = (id: string, role: 'user' | 'assistant', text: string): ChatMessage => ({
  id,
  role,
  parts: [{ type: 'text', text }],
  content: text,
  ...(role === 'assistant' ? { status: 'done' as const } : {}),
})

const answer = (id: string, parts: MessagePart[]): ChatMessage => ({
  id,
  role: 'assistant',
  parts,
  content: parts.map((part) => (part.type === 'text' ? part.text : '')).join(''),
  status: 'done',
})

const WEATHER_QUESTION = 'What is the weather in Paris?'

const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
}

/** The mocked model calls `get_weather`, then answers from the tool's result. */
const weatherModel = () =>
  msw(
    mockModel({
      timing: TIMING.fast,
      script: async (request) => {
        const body = (await request.clone().json()) as { messages: { role: string; content?: unknown }[] }
        const last = body.messages.at(-1)
        if (last?.role !== 'tool') return { toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] }
        return {
          text: `The tool said: ${typeof last.content === 'string' ? last.content : JSON.stringify(last.content)}`,
        }
      },
    }),
  )

const weather = (overrides: Partial<ToolDefinition<{ city: string }>> = {}): Record<string, ToolDefinition> => ({
  get_weather: {
    description: 'Current weather for a city',
    inputSchema: weatherSchema,
    execute: async ({ city }: { city: string }) => ({ city, temperature: 18, sky: 'clear' }),
    ...overrides,
  } as ToolDefinition,
})

/** A tool that needs approval: Approve runs it and the answer goes on from its result. */
export const ToolAwaitingApproval: Story = {
  args: { tools: weather({ needsApproval: true }) },
  parameters: weatherModel(),
  play: async ({ canvasElement }) => {
    await ask(canvasElement, WEATHER_QUESTION)
    const canvas = canvasOf(canvasElement)
    const approve = await canvas.findByRole('button', { name: 'Approve' }, { timeout: 10_000 })
    await expect(canvasElement.querySelector('[data-rivulet="tool-call"]')).toHaveAttribute(
      'data-state',
      'approval-requested',
    )
    await userEvent.click(approve)
    await waitFor(() => expect(canvas.getByText(/The tool said/)).toBeVisible(), { timeout: 10_000 })
  },
}

/** Deny: the model is told the user refused, and says so. */
export const ToolDenied: Story = {
  args: { tools: weather({ needsApproval: true }) },
  parameters: weatherModel(),
  play: async ({ canvasElement }) => {
    await ask(canvasElement, WEATHER_QUESTION)
    const canvas = canvasOf(canvasElement)
    await userEvent.click(await canvas.findByRole('button', { name: 'Deny' }, { timeout: 10_000 }))
    await waitFor(
      () =>
        expect(canvasElement.querySelector('[data-rivulet="tool-call"]')).toHaveAttribute(
          'data-state',
          'output-denied',
        ),
      { timeout: 10_000 },
    )
    await waitFor(() => expect(canvas.getByText(/The tool said/)).toBeVisible(), { timeout: 10_000 })
  },
}

/** The tool throws: its error shows on the call, and the model hears about it. */
export const ToolFailed: Story = {
  args: {
    tools: weather({
      execute: async () => {
        throw new Error('The weather service is down.')
      },
    }),
  },
  parameters: weatherModel(),
  play: async ({ canvasElement }) => {
    await ask(canvasElement, WEATHER_QUESTION)
    await waitFor(
      () =>
        expect(canvasElement.querySelector('[data-rivulet="tool-call"]')).toHaveAttribute('data-state', 'output-error'),
      { timeout: 10_000 },
    )
    await expect(canvasElement.querySelector('[data-rivulet="tool-error"]')).toHaveTextContent(
      'The weather service is down.',
    )
  },
}

const LARGE_INPUT = { path: 'notes/long.md', content: 'All work and no play. '.repeat(2000) }

/**
 * A call whose arguments are still arriving, one of them very long: the preview shows their end,
 * bounded, however long they grow. Beside it, each other state of a tool call.
 */
export const ToolStates: Story = {
  args: {
    initialMessages: [
      textMessage('q', 'user', 'Save my notes, then check the weather in three cities.'),
      answer('a', [
        { type: 'tool', toolCallId: 't1', name: 'write_file', state: 'input-streaming', input: LARGE_INPUT },
        { type: 'tool', toolCallId: 't2', name: 'get_weather', state: 'input-available', input: { city: 'Oslo' } },
        {
          type: 'tool',
          toolCallId: 't3',
          name: 'get_weather',
          state: 'output-available',
          input: { city: 'Paris' },
          output: { temperature: 18, sky: 'clear' },
        },
        {
          type: 'tool',
          toolCallId: 't4',
          name: 'get_weather',
          state: 'output-error',
          input: { city: 'Atlantis' },
          errorText: 'No such city.',
        },
        {
          type: 'tool',
          toolCallId: 't5',
          name: 'delete_file',
          state: 'output-denied',
          input: { path: 'notes/long.md' },
          errorText: 'The user denied this call.',
          approval: { approved: false },
        },
      ]),
    ],
  },
  play: async ({ canvasElement }) => {
    const preview = canvasElement.querySelector('[data-tool="write_file"] [data-rivulet="tool-arguments"] code')
    await expect(preview?.textContent?.length).toBeLessThanOrEqual(2000)
  },
}

/** Sources cited by the answer, as a compact list of links; one with an unsafe URL shows as text. */
export const Sources: Story = {
  args: {
    initialMessages: [
      textMessage('q', 'user', 'Who first explained why the sky is blue?'),
      answer('a', [
        { type: 'text', text: 'Lord Rayleigh described the scattering of light by small particles in 1871.' },
        {
          type: 'source',
          id: 's1',
          url: 'https://en.wikipedia.org/wiki/Rayleigh_scattering',
          title: 'Rayleigh scattering',
        },
        { type: 'source', id: 's2', url: 'https://www.britannica.com/science/Rayleigh-scattering' },
        { type: 'source', id: 's3', url: 'javascript:alert(1)', title: 'Not a link' },
      ]),
    ],
  },
  play: async ({ canvasElement }) => {
    const links = within(canvasElement.querySelector('[data-rivulet="sources"]') as HTMLElement).getAllByRole('link')
    await expect(links).toHaveLength(2)
  },
}

const SKY_IMAGE = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3b5bdb"/><stop offset="1" stop-color="#a5d8ff"/></linearGradient></defs><rect width="240" height="120" fill="url(#g)"/><circle cx="190" cy="35" r="18" fill="#ffd43b"/></svg>',
)}`

/** A question with an attached image, and an answer with a generated one. */
export const Images: Story = {
  args: {
    initialMessages: [
      {
        id: 'q',
        role: 'user',
        parts: [
          { type: 'file', mediaType: 'image/svg+xml', url: SKY_IMAGE, filename: 'sky.svg' },
          { type: 'text', text: 'Draw this sky at night.' },
        ],
        content: 'Draw this sky at night.',
      },
      answer('a', [
        { type: 'text', text: 'Here it is, with the sun swapped for the moon.' },
        { type: 'file', mediaType: 'image/svg+xml', url: SKY_IMAGE.replace('%23ffd43b', '%23f1f3f5') },
      ]),
    ],
  },
}

/** A small PNG of a sky, drawn here: providers take PNG, JPEG, GIF and WebP images. */
function skyPng(): Promise<Blob> {
  const canvas = document.createElement('canvas')
  canvas.width = 96
  canvas.height = 48
  const context = canvas.getContext('2d')!
  const gradient = context.createLinearGradient(0, 0, 0, 48)
  gradient.addColorStop(0, '#3b5bdb')
  gradient.addColorStop(1, '#a5d8ff')
  context.fillStyle = gradient
  context.fillRect(0, 0, 96, 48)
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('No PNG'))), 'image/png'),
  )
}

/** A picked image shows as a preview with Remove, and is sent with the question. */
export const Attachments: Story = {
  play: async ({ canvasElement }) => {
    const canvas = canvasOf(canvasElement)
    const picker = canvasElement.querySelector('input[type="file"]') as HTMLInputElement
    await userEvent.upload(picker, new File([await skyPng()], 'sky.png', { type: 'image/png' }))
    await expect(canvas.getByRole('button', { name: 'Remove sky.png' })).toBeVisible()
    await userEvent.type(canvas.getByRole('textbox', { name: 'Message' }), 'What is in this picture?')
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }))
    await waitFor(() =>
      expect(canvasElement.querySelector('article[data-role="user"] [data-rivulet="file"] img')).toBeVisible(),
    )
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Regenerate' })).toBeVisible(), { timeout: 10_000 })
  },
}

/** Regenerate keeps the first answer: the picker shows `2 / 2`, and Previous goes back to it. */
export const Versions: Story = {
  parameters: msw(mockModel({ script: { text: ANSWER }, timing: TIMING.fast })),
  play: async ({ canvasElement }) => {
    const canvas = canvasOf(canvasElement)
    await ask(canvasElement)
    await userEvent.click(await canvas.findByRole('button', { name: 'Regenerate' }, { timeout: 10_000 }))
    await waitFor(() => expect(canvas.getByText('2 / 2')).toBeVisible(), { timeout: 10_000 })
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Regenerate' })).toBeVisible(), { timeout: 10_000 })
    await userEvent.click(canvas.getByRole('button', { name: 'Previous version' }))
    await waitFor(() => expect(canvas.getByText('1 / 2')).toBeVisible())
  },
}

/**
 * A long markdown answer at 80 tokens/s in a short chat: scroll up and "Jump to latest" appears;
 * End, the button, or scrolling to the bottom follows the text again.
 */
export const LongAnswer: Story = {
  args: { style: { height: 360, maxWidth: 720 } },
  parameters: msw(
    mockModel({
      script: { text: `${MARKDOWN}\n\n${MARKDOWN}` },
      timing: { ttftMs: 200, tokensPerSecond: 80, jitter: 0 },
    }),
  ),
  play: ({ canvasElement }) => ask(canvasElement),
}

/** On a phone-sized screen: the messages use the width and the composer stays in view. */
export const Phone: Story = {
  args: { style: { height: 'calc(100dvh - 48px)', maxWidth: 390 } },
  parameters: msw(mockModel({ script: { text: ANSWER }, timing: TIMING.fast })),
  play: ({ canvasElement }) => ask(canvasElement),
}
