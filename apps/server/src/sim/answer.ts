/**
 * The simulated model's prose: markdown answers (paragraphs, lists, code, tables, quotes)
 * built from templates around the words of the prompt, and the reasoning that precedes them.
 * Everything comes from the seeded `Random`, so one seed always writes the same answer.
 */
import type { Random } from './random.js'
import { countTokens, tokenize } from './tokens.js'

export const STOP_WORDS = new Set(
  `a about above after again all also am an and any are as at be because been before being below between both but
  by can could did do does doing down during each few for from further had has have having he her here hers him his
  how i if in into is it its itself just let me more most my no nor not now of off on once only or other our out over
  own please same she should so some such tell than that the their them then there these they this those through to
  too under until up very was we were what when where which while who whom why will with would you your yours
  explain show give want need make use using write get know like help thing things way best good really`.split(/\s+/),
)

/** The words an answer is about: the longer, rarer words of the last user message. */
export interface Topic {
  terms: string[]
  subject: string
}

export function topicOf(prompt: string): Topic {
  const seen = new Set<string>()
  const found: { word: string; start: number; end: number }[] = []
  for (const match of prompt.matchAll(/[\p{L}][\p{L}\p{N}+#.-]*[\p{L}\p{N}+#]|[\p{L}]{3,}/gu)) {
    const word = match[0]
    const key = word.toLowerCase()
    if (word.length < 3 || STOP_WORDS.has(key) || seen.has(key)) continue
    seen.add(key)
    found.push({ word, start: match.index, end: match.index + word.length })
    if (found.length === 6) break
  }
  const first = found[0]
  if (first === undefined) return { terms: ['this', 'the approach'], subject: 'this' }
  // The subject is the prompt's own phrase around its first terms ("backpressure in Node streams"),
  // as long as it stays short and inside one sentence.
  let end = first.end
  for (const next of found.slice(1, 4)) {
    const span = prompt.slice(first.start, next.end)
    if (/[.?!\n]/.test(span) || span.split(/\s+/).length > 6) break
    end = next.end
  }
  return { terms: found.map((term) => term.word), subject: prompt.slice(first.start, end) }
}

// Placeholders: %s% subject, %S% subject capitalized, %t% a term, %T% a term capitalized,
// %id% a camelCase identifier, %snake% its snake_case twin, %n% a small number, %x% a quality,
// %c% a concern. Percent signs keep them apart from the braces of the code templates.
const OPENERS = [
  'Good question. Here is how I would think about %s%.',
  "Let's break %s% down step by step.",
  'Short answer: it depends on your constraints, but there is a sensible default for %s%.',
  'Sure — here is a practical overview of %s%.',
  'There are a few ways to approach %s%, and the right one depends on what you optimize for.',
  '%S% comes up a lot, so here is a compact guide.',
]

const SENTENCES = [
  'The key idea is to keep %t% %x% and let everything else build on it.',
  '%T% works best when each piece has one clear responsibility.',
  'A common mistake is to treat %t% as an afterthought and bolt it on at the end.',
  'If you measure first, the trade-offs around %t% become much easier to see.',
  'In practice, most of the complexity hides in %c%, not in %t% itself.',
  'Start with the simplest version that works, then add %c% once you have real numbers.',
  'It helps to write down what "done" means for %t% before you change any code.',
  'Keep in mind that %t% interacts with %c% in ways that are easy to miss.',
  'This is also where good defaults pay off: most users never change them.',
  'You can usually get %n%0% of the benefit with a small fraction of the effort.',
  'The %x% option is rarely the fastest, but it is the one you can reason about later.',
  'When something goes wrong, %c% is the first place to look.',
  'Small, reversible steps beat one big rewrite almost every time.',
  'Document the decision, because the reasons behind %t% are easy to forget.',
  'If the data is large, stream it instead of loading everything at once.',
  'Tests around the edges, like empty input and very long input, catch most regressions.',
  'A quick prototype will tell you more about %t% than a week of planning.',
  'The same pattern shows up in many places, so it is worth getting right once.',
  'Under load, %c% tends to dominate, so profile before you optimize.',
  'Prefer explicit configuration over magic; future you will be grateful.',
]

const BULLETS = [
  '**Keep %t% %x%**: fewer moving parts means fewer surprises.',
  '**Measure first**: record a baseline before changing %c%.',
  '**Handle failure**: decide what happens when %t% is slow or unavailable.',
  '**Name things well**: `%id%` says more than a comment ever will.',
  '**Test the edges**: empty input, huge input and concurrent calls.',
  '**Watch %c%**: it is usually the first thing to break.',
  '**Automate it**: a script you can rerun beats a checklist.',
  '**Start small**: ship the %x% version, then iterate.',
  '**Write it down**: a short README saves hours of questions.',
  '**Be explicit about limits**: timeouts, sizes and retries.',
]

const STEPS = [
  'Define what %t% should do, in one sentence.',
  'Write a failing test that captures that behaviour.',
  'Implement the smallest change that makes the test pass.',
  'Add error handling for %c%.',
  'Measure the result against your baseline.',
  'Refactor once the behaviour is locked in by tests.',
  'Document the public API with a short example.',
  'Roll it out behind a flag and watch the metrics.',
]

const HEADINGS = [
  '## Why %t% matters',
  '## A minimal example',
  '## Common pitfalls',
  '## How it fits together',
  '## Step by step',
  '## Trade-offs',
  '## Going further',
  '## Quick reference',
]

const QUOTES = [
  '> **Tip:** if %t% feels complicated, it is usually doing two jobs. Split it.',
  '> **Note:** the defaults are %x% on purpose; change them only with a measurement in hand.',
  '> **Warning:** never skip error handling for %c% in production code.',
]

const CLOSERS = [
  'Let me know if you want me to go deeper on %t%.',
  'Happy to walk through a concrete example if you share more details.',
  'If you tell me more about your setup, I can tailor this further.',
  'That should be enough to get started; the rest is iteration.',
]

const QUALITIES = ['simple', 'predictable', 'explicit', 'boring', 'small', 'observable', 'incremental', 'robust']
const CONCERNS = [
  'error handling',
  'the data flow',
  'caching',
  'concurrency',
  'latency',
  'configuration',
  'state management',
  'the network layer',
  'memory use',
  'retries',
]

const CODE = [
  (id: string) =>
    [
      '```ts',
      `export async function ${id}(input: string, signal?: AbortSignal): Promise<string> {`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: code the model writes, not a template of ours
      '  const response = await fetch(`/api/${encodeURIComponent(input)}`, { signal })',
      `  if (!response.ok) throw new Error(\`${id} failed with \${response.status}\`)`,
      '  return response.text()',
      '}',
      '```',
    ].join('\n'),
  (id: string) =>
    [
      '```ts',
      `const ${id} = new Map<string, number>()`,
      '',
      'for (const word of text.split(/\\s+/)) {',
      `  ${id}.set(word, (${id}.get(word) ?? 0) + 1)`,
      '}',
      '```',
    ].join('\n'),
  (_id: string, snake: string) =>
    [
      '```python',
      `def ${snake}(items, limit=10):`,
      '    """Return the first `limit` items that are ready."""',
      '    ready = [item for item in items if item.ready]',
      '    return ready[:limit]',
      '```',
    ].join('\n'),
  (id: string) =>
    [
      '```tsx',
      `export function ${id[0]?.toUpperCase()}${id.slice(1)}({ items }: { items: string[] }) {`,
      '  if (items.length === 0) return <p>Nothing yet.</p>',
      '  return (',
      '    <ul>',
      '      {items.map((item) => (',
      '        <li key={item}>{item}</li>',
      '      ))}',
      '    </ul>',
      '  )',
      '}',
      '```',
    ].join('\n'),
  (_id: string, snake: string) =>
    ['```bash', `mkdir -p ${snake} && cd ${snake}`, 'npm init -y', 'npm install --save-dev vitest', '```'].join('\n'),
  (id: string) =>
    [
      '```json',
      '{',
      `  "${id}": {`,
      '    "enabled": true,',
      '    "timeoutMs": 5000,',
      '    "retries": 3',
      '  }',
      '}',
      '```',
    ].join('\n'),
  (_id: string, snake: string) =>
    [
      '```sql',
      `SELECT id, name, created_at`,
      `FROM ${snake}`,
      "WHERE created_at > now() - interval '7 days'",
      'ORDER BY created_at DESC',
      'LIMIT 20;',
      '```',
    ].join('\n'),
]

const REASONING = [
  'The user is asking about %s%.',
  'Let me think about what they actually need here.',
  'They probably want a practical answer rather than theory.',
  'I should start with the core idea, then give an example.',
  'A short code sample would make %t% concrete.',
  'I should mention the common pitfalls around %c% too.',
  'Let me structure this: overview, steps, an example, then caveats.',
  'Wait — the edge cases around %t% deserve a sentence of their own.',
  'Is there a simpler way to explain %t%? Probably by comparing it to %c%.',
  'Okay, that covers it. Time to write the answer.',
]

/** Fills one template from the topic. */
export function fill(template: string, topic: Topic, random: Random): string {
  return template.replace(/%(s|S|t|T|id|snake|n|x|c)%/g, (_, key: string) => {
    switch (key) {
      case 's':
        return topic.subject
      case 'S':
        return capitalize(topic.subject)
      case 't':
        return random.pick(topic.terms)
      case 'T':
        return capitalize(random.pick(topic.terms))
      case 'id':
        return identifier(topic)
      case 'snake':
        return snakeCase(identifier(topic))
      case 'n':
        return String(random.int(2, 9))
      case 'x':
        return random.pick(QUALITIES)
      default:
        return random.pick(CONCERNS)
    }
  })
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function identifier(topic: Topic): string {
  const words = topic.terms
    .slice(0, 2)
    .map((term) => term.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .filter(Boolean)
  if (words.length === 0) return 'handleRequest'
  const name = words.map((word, i) => (i === 0 ? word : capitalize(word))).join('')
  return /^[a-z]/.test(name) ? name : `run${capitalize(name)}`
}

function snakeCase(id: string): string {
  return id.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

/**
 * Templates drawn without replacement (reshuffled once all were used): an answer does not say
 * the same sentence twice until it has said all the others.
 */
class Deck {
  private cards: string[] = []

  constructor(
    private readonly templates: readonly string[],
    private readonly random: Random,
  ) {}

  draw(): string {
    if (this.cards.length === 0) {
      this.cards = [...this.templates]
      for (let i = this.cards.length - 1; i > 0; i--) {
        const j = this.random.int(0, i)
        ;[this.cards[i], this.cards[j]] = [this.cards[j] as string, this.cards[i] as string]
      }
    }
    return this.cards.pop() as string
  }
}

interface Writer {
  topic: Topic
  random: Random
  sentences: Deck
}

function sentences(count: number, writer: Writer): string {
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(fill(writer.sentences.draw(), writer.topic, writer.random))
  return out.join(' ')
}

function list(templates: readonly string[], count: number, numbered: boolean, topic: Topic, random: Random): string {
  const start = random.int(0, templates.length - 1)
  const items: string[] = []
  for (let i = 0; i < count; i++) {
    const text = fill(templates[(start + i) % templates.length] as string, topic, random)
    items.push(numbered ? `${i + 1}. ${text}` : `- ${text}`)
  }
  return items.join('\n')
}

function table(topic: Topic, random: Random): string {
  const rows = topic.terms.slice(0, 3).map((term) => {
    const quality = random.pick(QUALITIES)
    return `| \`${term.toLowerCase()}\` | ${capitalize(quality)} | ${capitalize(random.pick(CONCERNS))} |`
  })
  if (rows.length < 2) rows.push(`| default | ${capitalize(random.pick(QUALITIES))} | None |`)
  return ['| Option | Character | Watch out for |', '| --- | --- | --- |', ...rows].join('\n')
}

type Block = { prose: boolean; text: string }

function block(writer: Writer): Block {
  const { topic, random } = writer
  const roll = random.next()
  if (roll < 0.3) return { prose: true, text: sentences(random.int(2, 4), writer) }
  if (roll < 0.45) return { prose: false, text: list(BULLETS, random.int(3, 5), false, topic, random) }
  if (roll < 0.57) return { prose: false, text: list(STEPS, random.int(3, 5), true, topic, random) }
  if (roll < 0.72) {
    const id = identifier(topic)
    const code = random.pick(CODE)(id, snakeCase(id))
    return { prose: false, text: `${sentences(1, writer)}\n\n${code}` }
  }
  if (roll < 0.86)
    return { prose: false, text: `${fill(random.pick(HEADINGS), topic, random)}\n\n${sentences(2, writer)}` }
  if (roll < 0.93) return { prose: false, text: table(topic, random) }
  return { prose: false, text: fill(random.pick(QUOTES), topic, random) }
}

export interface AnswerOptions {
  /** Exact length in tokens; without it the answer runs to a natural end near `defaultTokens`. */
  tokens?: number
  defaultTokens: number
  /** Text the answer starts with (a tool result summary, for instance). */
  lead?: string
}

/** A markdown answer as tokens. */
export function writeAnswer(prompt: string, random: Random, options: AnswerOptions): string[] {
  const tokens: string[] = []
  for (const piece of answerPieces(prompt, random, options)) for (const token of tokenize(piece)) tokens.push(token)
  return options.tokens === undefined ? tokens : tokens.slice(0, options.tokens)
}

/**
 * The answer's text in pieces, block by block (each starts with a line break, a token
 * boundary), made as they are asked for: a long answer can be played without being held
 * whole. With `tokens`, the pieces hold at least that many tokens; the caller cuts the rest.
 */
export function* answerPieces(prompt: string, random: Random, options: AnswerOptions): Generator<string> {
  const topic = topicOf(prompt)
  const writer: Writer = { topic, random, sentences: new Deck(SENTENCES, random) }
  const exact = options.tokens
  const target = exact ?? options.defaultTokens
  if (target <= 0) return
  const opener = options.lead ?? fill(random.pick(OPENERS), topic, random)
  let count = countTokens(opener)
  yield opener
  while (count < target) {
    let next = block(writer)
    let added = countTokens(`\n\n${next.text}`)
    // Only prose is cut to fit an exact length: a list or a code fence cut short reads as broken.
    if (exact !== undefined && !next.prose && count + added > exact) {
      next = { prose: true, text: sentences(random.int(2, 4), writer) }
      added = countTokens(`\n\n${next.text}`)
    }
    count += added
    yield `\n\n${next.text}`
  }
  if (exact === undefined) yield `\n\n${fill(random.pick(CLOSERS), topic, random)}`
}

/** The model's thinking before it answers, at most `maxTokens` long. */
export function writeReasoning(prompt: string, random: Random, maxTokens: number): string[] {
  const topic = topicOf(prompt)
  const count = random.int(4, 7)
  const start = random.int(0, 2)
  const picked = REASONING.slice(start, start + count - 1)
  picked.push(REASONING[REASONING.length - 1] as string)
  const text = picked.map((template) => fill(template, topic, random)).join(' ')
  return tokenize(text).slice(0, Math.max(0, maxTokens))
}

/** A sentence before a tool call, as models often write one. */
export function writeToolPreface(toolName: string, random: Random): string {
  return random.pick([
    `I'll use \`${toolName}\` to look that up.`,
    `Let me call \`${toolName}\` for that.`,
    `I need more information first, so I'll call \`${toolName}\`.`,
  ])
}
