import type { Meta, StoryObj } from '@storybook/react-vite'
import { type ReactNode, useEffect, useState } from 'react'
import { expect, waitFor } from 'storybook/test'
import { Markdown, type MarkdownProps } from './markdown.js'

/**
 * `<Markdown>` on its own: whole answers, and answers streamed into it a few characters per frame
 * (unfinished syntax repaired as it grows, finished blocks left alone).
 */
const meta: Meta<MarkdownProps> = {
  title: 'Markdown/Markdown',
  component: Markdown,
  args: { streaming: false },
  argTypes: { components: { control: false }, highlight: { control: false }, allowImage: { control: false } },
  decorators: [(Story) => <div style={{ maxWidth: '44rem', lineHeight: 1.55 }}>{Story()}</div>],
}

export default meta
type Story = StoryObj<MarkdownProps>

const LONG_ANSWER = `## Streaming answers without flashing markup

Models answer in **markdown**, one token at a time. A renderer sees half a list, half a sentence,
or a code fence that has not closed yet — and _should still show it as it will look_.

1. Finished blocks are parsed once and never rendered again.
2. The growing block is repaired: \`**bold\` shows bold before its closer arrives.
3. Reference links resolve wherever their definition is: see [the spec][cm].

   A continuation paragraph stays inside its list item.

- Tables with alignment
- ~~Strikethrough~~ and autolinks like https://example.com
- Raw HTML such as <b>this</b> shows as text

> A blockquote, with a footnote at its end.[^1]

[cm]: https://spec.commonmark.org/
[^1]: Footnote ids are unique per message, so two answers on a page never collide.
`

const CODE_ANSWER = `Here is a small client and its test.

\`\`\`ts
import { createChatSession, openaiCompatible } from '@rivulet/core'

const chat = createChatSession({
  transport: openaiCompatible({ model: 'gpt-4o-mini' }),
})
\`\`\`

Run it with \`pnpm test\`:

\`\`\`sh
pnpm test -- --run
\`\`\`

    indented code keeps its blank line

    as one block
`

const TABLE_ANSWER = `| Provider | Wire format | Resumable |
|:---------|:-----------:|----------:|
| OpenAI | SSE | yes |
| Anthropic | SSE | no |
| Ollama | NDJSON | no |
| WebSocket | frames | yes |
`

const ARABIC_ANSWER = `## النص المتدفق

يظهر النص **كلمة بكلمة** دون أن تظهر علامات التنسيق الخام.

- القوائم تبقى قوائم
- و\`الشيفرة\` تبقى شيفرة

| العنصر | الحالة |
|:--|:--|
| الجداول | مدعومة |
`

export const LongAnswer: Story = { args: { text: LONG_ANSWER } }

export const CodeHeavy: Story = { args: { text: CODE_ANSWER } }

export const Tables: Story = { args: { text: TABLE_ANSWER } }

/** Right to left: the app sets `dir="rtl"`; lists, tables and code follow it. */
export const RightToLeft: Story = {
  args: { text: ARABIC_ANSWER },
  decorators: [
    (Story) => (
      <div lang="ar" dir="rtl">
        {Story()}
      </div>
    ),
  ],
}

/** Links only with safe schemes: the others show as plain text. */
export const UnsafeLinks: Story = {
  args: {
    text: 'A [safe link](https://example.com), a [script link](javascript:alert(1)) and a [data link](data:text/html,hi).',
  },
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelectorAll('a[href]')).toHaveLength(1)
  },
}

/** Characters per frame, as a model at a few hundred tokens per second delivers them. */
const CHARS_PER_FRAME = 6

/** Streams `text` into `children` a few characters per frame, then ends. */
function Streamed({ text, children }: { text: string; children(text: string, live: boolean): ReactNode }) {
  const [length, setLength] = useState(0)
  useEffect(() => {
    let frame = 0
    let shown = 0
    const step = () => {
      shown = Math.min(text.length, shown + CHARS_PER_FRAME)
      setLength(shown)
      if (shown < text.length) frame = requestAnimationFrame(step)
    }
    frame = requestAnimationFrame(step)
    return () => cancelAnimationFrame(frame)
  }, [text])
  return children(text.slice(0, length), length < text.length)
}

/** The long answer streamed in: no raw `**` or `[` flashes while it grows, and the end renders as the whole text. */
export const Streaming: Story = {
  render: (args) => (
    <Streamed text={args.text}>{(text, live) => <Markdown {...args} text={text} streaming={live} />}</Streamed>
  ),
  args: { text: LONG_ANSWER },
  play: async ({ canvasElement }) => {
    await waitFor(
      () => expect(canvasElement.querySelector('[data-rivulet="markdown"]')).not.toHaveAttribute('data-streaming'),
      { timeout: 15_000 },
    )
    await expect(canvasElement.querySelector('table, ol')).not.toBeNull()
  },
}

/** A code-heavy answer streamed in: an open fence renders as code while it grows. */
export const StreamingCode: Story = {
  render: Streaming.render,
  args: { text: CODE_ANSWER },
  play: async ({ canvasElement }) => {
    await waitFor(
      () => expect(canvasElement.querySelector('[data-rivulet="markdown"]')).not.toHaveAttribute('data-streaming'),
      { timeout: 15_000 },
    )
    await expect(canvasElement.querySelectorAll('pre code')).toHaveLength(3)
  },
}
