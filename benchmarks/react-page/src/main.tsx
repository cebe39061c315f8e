/**
 * One stream, one contender: `?contender=rivulet|rivulet-typing|aisdk|aisdk-throttle|naive
 * &tps=100|1000|0&tokens=N` (tps 0: as fast as possible); with a markdown contender
 * (rivulet-markdown|streamdown|react-markdown) the answer is markdown. `window.__bench.ready` resolves when
 * the page is set up; `window.__bench.run()` streams the answer and resolves with the figures.
 */
import { setupWorker } from 'msw/browser'
import { Profiler } from 'react'
import { createRoot } from 'react-dom/client'
import { tokens as corpusTokens, markdownTokens } from '../../src/corpus.js'
import { Contender, TEXT_SELECTOR } from './contenders.js'
import { Recorder } from './measure.js'
import { benchHandlers } from './mock.js'
import { type BenchWindow, CONTENDERS, type ContenderName, MARKDOWN_CONTENDERS, type PageResult } from './protocol.js'

/** Network-sized reads that split SSE lines, JSON and characters, for every contender alike. */
const CHUNK_BYTES: [number, number] = [1, 4096]
/** No visible progress for this long: the run fails instead of hanging. */
const STALL_MS = 30_000

const params = new URLSearchParams(window.location.search)
const name = params.get('contender') as ContenderName
const markdown = (MARKDOWN_CONTENDERS as readonly string[]).includes(name)
if (!markdown && !(CONTENDERS as readonly string[]).includes(name)) throw new Error(`Unknown contender: ${name}`)
const tokensPerSecond = Number(params.get('tps') ?? 0)
const tokenCount = Number(params.get('tokens') ?? 1000)
const tokens = markdown ? markdownTokens(tokenCount) : corpusTokens(tokenCount)
const expected = tokens.join('')
/** Markdown: the source length the last commit rendered (the DOM shows its rendering, not the source). */
let renderedLength = 0
const onShown = (length: number) => {
  renderedLength = length
  recorder.textLength(length)
}

const recorder = new Recorder(tokens)
const worker = setupWorker(...benchHandlers(tokens, { tokensPerSecond, chunkBytes: CHUNK_BYTES }, recorder.arrivals))
const host = document.getElementById('root') as HTMLElement
let send: (() => unknown) | undefined
const register = (fn: () => unknown) => {
  send = fn
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))

async function prepare(): Promise<void> {
  await worker.start({ quiet: true, onUnhandledRequest: 'bypass', serviceWorker: { url: '/mockServiceWorker.js' } })
  createRoot(host).render(
    <Profiler id="answer" onRender={recorder.onCommit}>
      <div data-bench="answer">
        <Contender name={name} register={register} onShown={onShown} />
      </div>
    </Profiler>,
  )
  // Idle frames: the page settles, and the frame interval is known before anything streams.
  for (let i = 0; i < 40; i++) await nextFrame()
  if (!send) throw new Error(`${name} did not mount`)
}

/** Lengths of child elements that are no longer last: those only ever grow at the end. */
const finishedLengths = new WeakMap<Element, number>()

/**
 * The length of the text shown in `target`, read without copying the whole answer each time:
 * a lone text node's own length (React's rendering of a string child), or, for one element per
 * line, each finished line's length once plus the last line's.
 */
function shownLength(target: Element): number {
  const node = target.firstChild
  if (node instanceof Text && node === target.lastChild) return node.length
  let length = 0
  const last = target.lastElementChild
  for (let child = target.firstElementChild; child; child = child.nextElementSibling) {
    if (child === last) {
      length += child.textContent?.length ?? 0
      continue
    }
    let finished = finishedLengths.get(child)
    if (finished === undefined) finishedLengths.set(child, (finished = child.textContent?.length ?? 0))
    length += finished
  }
  return length
}

/** A markdown answer rendered to its end: its last line's words are on the page. */
function lastWordsShown(target: Element | null): boolean {
  const last = expected.trimEnd().split('\n').at(-1) ?? ''
  const words = last.replace(/^\[\^[^\]]*\]:\s*/, '')
  return target?.textContent?.includes(words) ?? false
}

async function run(): Promise<PageResult> {
  const idleFrameMs = recorder.frameInterval()
  const container = host.querySelector('[data-bench=answer]') as HTMLElement
  const selector = TEXT_SELECTOR[name]
  let target: Element | null = null
  let finished: () => void = () => {}
  let failed: (error: unknown) => void = () => {}
  const allShown = new Promise<void>((resolve, reject) => {
    finished = resolve
    failed = reject
  })
  const observer = new MutationObserver(() => {
    if (!markdown) {
      if (!target?.isConnected) target = container.querySelector(selector)
      recorder.textLength(target ? shownLength(target) : 0)
    }
    if (recorder.shown === tokens.length) finished()
  })
  observer.observe(container, { childList: true, subtree: true, characterData: true })

  let progress = -1
  const watchdog = setInterval(() => {
    if (recorder.shown === progress) {
      failed(
        new Error(`${name} at ${tokensPerSecond} tok/s stalled: ${recorder.shown} of ${tokens.length} tokens shown`),
      )
    }
    progress = recorder.shown
  }, STALL_MS)
  const onError = (event: ErrorEvent | PromiseRejectionEvent) =>
    failed('reason' in event ? event.reason : (event.error ?? event.message))
  window.addEventListener('error', onError)
  window.addEventListener('unhandledrejection', onError)
  try {
    Promise.resolve(send?.()).catch(failed)
    await allShown
  } finally {
    observer.disconnect()
    clearInterval(watchdog)
    window.removeEventListener('error', onError)
    window.removeEventListener('unhandledrejection', onError)
  }
  // Until the frame that painted the last token has its after-paint mark.
  const last = recorder.visible[tokens.length - 1] as number
  for (let i = 0; i < 10 && Number.isNaN(recorder.paintedAfter(last)); i++) await nextFrame()

  return {
    contender: name,
    tokensPerSecond,
    tokens: tokens.length,
    textMatches: markdown
      ? renderedLength === expected.length && lastWordsShown(container.querySelector(selector))
      : container.querySelector(selector)?.textContent === expected,
    idleFrameMs,
    ...recorder.summary(),
  }
}

const ready = prepare()
;(window as BenchWindow).__bench = { ready, run }
