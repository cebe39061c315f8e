/**
 * A simulated web search, as a provider runs one itself: a `tool-call` and its `tool-result`
 * with `providerExecuted: true` (Anthropic's `server_tool_use` + `web_search_tool_result`), then
 * the answer cites what it found, a `source` part before each sentence that draws on it.
 * Results point at the reserved example domains (RFC 2606), so no link leads anywhere real.
 */
import type { StreamPart } from '@rivulet/core'
import { capitalize, fill, topicOf } from './answer.js'
import { type Random, randomId, shuffled } from './random.js'

export const WEB_SEARCH_TOOL = 'web_search'

const SITES = ['docs.example.com', 'guides.example.org', 'blog.example.net', 'wiki.example.org', 'news.example.com']
const TITLES = [
  'A practical guide to %s%',
  '%S% explained',
  'Notes on %s%',
  '%S%: common pitfalls',
  'How teams handle %s%',
]
const FINDINGS = [
  '%S% works best when each piece has one clear responsibility',
  'most of the trouble with %t% comes from %c%',
  'measuring first makes the trade-offs around %t% much easier to see',
  'a small, %x% default covers most uses of %t%',
  'tests around the edges catch most regressions in %t%',
]
const CITING = ['According to %title%, %finding%.', '%title% notes that %finding%.', 'As %title% puts it, %finding%.']
const AGES = ['2 days ago', '1 week ago', '3 weeks ago', 'March 2025', null]

export interface SearchPlan {
  /** The call and its result, played before the answer's text. */
  parts: StreamPart[]
  /** Each result's source, and the sentence citing it, in order. */
  citations: { source: StreamPart; sentence: string }[]
}

/**
 * Three results for the prompt. `idPrefix` is the provider's (`srvtoolu_` for Anthropic),
 * `index` the call's place among the answer's tool calls.
 */
export function planSearch(prompt: string, random: Random, idPrefix: string, index: number): SearchPlan {
  const topic = topicOf(prompt)
  const id = randomId(idPrefix, random)
  const query = topic.terms.slice(0, 4).join(' ')
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
  const sites = shuffled(SITES, random).slice(0, 3)
  const titles = shuffled(TITLES, random)
  const findings = shuffled(FINDINGS, random)
  const results = sites.map((site, at) => {
    const title = fill(titles[at] as string, topic, random)
    return {
      type: 'web_search_result',
      url: `https://${site}/${slug(topic.subject) || 'search'}-${at + 1}`,
      title: capitalize(title),
      encrypted_content: Buffer.from(`rivulet-sim:${site}:${query}`).toString('base64'),
      page_age: random.pick(AGES),
    }
  })
  const citations = results.map((result, at) => {
    const finding = fill(findings[at] as string, topic, random)
    const sentence = random.pick(CITING).replace('%title%', `*${result.title}*`).replace('%finding%', finding)
    const source: StreamPart = {
      type: 'source',
      url: result.url,
      title: result.title,
      providerMetadata: {
        anthropic: {
          type: 'web_search_result_location',
          cited_text: `${capitalize(finding)}.`,
          encrypted_index: Buffer.from(`${id}:${at}`).toString('base64'),
        },
      },
    }
    return { source, sentence: capitalize(sentence) }
  })
  return {
    parts: [
      { type: 'tool-call', index, id, name: WEB_SEARCH_TOOL, args: { query }, providerExecuted: true },
      { type: 'tool-result', id, name: WEB_SEARCH_TOOL, result: results, providerExecuted: true },
    ],
    citations,
  }
}
