// Run with plain Node in the consumer project: what an app gets from the installed packages,
// resolved by Node's own ESM resolution (no bundler, no `@rivulet/source` condition).
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const names = JSON.parse(process.argv[2])
const report = { entries: {}, decoded: undefined, chatWindow: '', markdown: '' }

for (const name of names) {
  const manifest = JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8'))
  for (const subpath of Object.keys(manifest.exports)) {
    const specifier = subpath === '.' ? name : `${name}${subpath.slice(1)}`
    if (/\.(css|json)$/.test(subpath)) {
      const file = fileURLToPath(import.meta.resolve(specifier))
      report.entries[specifier] = existsSync(file) ? 'file' : 'missing'
      continue
    }
    const module = await import(specifier)
    report.entries[specifier] = Object.keys(module).sort()
  }
}

const { decode } = await import('@rivulet/core')
const sse = [
  'data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}',
  'data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}',
  'data: [DONE]',
  '',
].join('\n\n')
const parts = []
const response = new Response(sse, { headers: { 'content-type': 'text/event-stream' } })
for await (const part of decode(response, { protocol: 'openai-chat' })) parts.push(part)
report.decoded = {
  text: parts
    .filter((part) => part.type === 'text-delta')
    .map((part) => part.text)
    .join(''),
  finish: parts.find((part) => part.type === 'finish')?.reason,
}

const { createElement } = await import('react')
const { renderToString } = await import('react-dom/server')
const { demoServer } = await import('@rivulet/core')
const { ChatWindow } = await import('@rivulet/ui')
const { Markdown } = await import('@rivulet/markdown')
report.chatWindow = renderToString(createElement(ChatWindow, { transport: demoServer() }))
report.markdown = renderToString(
  createElement(Markdown, { text: '# Title\n\nSome **bold** text and [a link](javascript:alert(1)).\n' }),
)

process.stdout.write(JSON.stringify(report))
