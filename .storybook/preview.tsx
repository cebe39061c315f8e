/// <reference types="vite/client" />
import '@rivulet/ui/styles.css'
import type { Decorator, Preview } from '@storybook/react-vite'
import { mswLoader } from 'msw-storybook-addon/csf3'
import type { CSSProperties } from 'react'

/**
 * MSW's worker, started once for the whole Storybook. Its script is served from `staticDirs`;
 * the URL is relative so a build served under a sub-path finds it too.
 */
async function startWorker() {
  const { setupWorker } = await import('msw/browser')
  const worker = setupWorker()
  await worker.start({
    serviceWorker: { url: './mockServiceWorker.js' },
    quiet: true,
    onUnhandledRequest(request, print) {
      // Only the mocked model's API is mocked; a call to it that no handler answers is a story bug.
      if (new URL(request.url).pathname.includes('/mock/v1/')) print.error()
    },
  })
  return worker
}

const REDUCED_MOTION = /prefers-reduced-motion:\s*reduce/
const nativeMatchMedia = typeof window === 'undefined' ? undefined : window.matchMedia

/**
 * Makes `matchMedia('(prefers-reduced-motion: reduce)')` match, as the components read it, or
 * restores the browser's answer. CSS media queries cannot be emulated from script: for those, use
 * the browser's rendering emulation.
 */
function emulateReducedMotion(reduce: boolean) {
  if (typeof window === 'undefined') return
  if (!reduce) {
    if (nativeMatchMedia) window.matchMedia = nativeMatchMedia
    else Reflect.deleteProperty(window, 'matchMedia')
    return
  }
  window.matchMedia = (query: string): MediaQueryList => {
    if (!REDUCED_MOTION.test(query) && nativeMatchMedia) return nativeMatchMedia.call(window, query)
    return {
      matches: REDUCED_MOTION.test(query),
      media: query,
      onchange: null,
      addEventListener() {},
      removeEventListener() {},
      addListener() {},
      removeListener() {},
      dispatchEvent: () => false,
    }
  }
}

const VISUALLY_HIDDEN: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0, 0, 0, 0)',
  whiteSpace: 'nowrap',
}

/** The page around a story: theme, emulated motion preference, a main landmark and a title. */
const withFrame: Decorator = (Story, { globals, title, name, viewMode }) => {
  emulateReducedMotion(globals.motion === 'reduce')
  const theme = globals.theme === 'light' || globals.theme === 'dark' ? globals.theme : undefined
  // Docs pages show several stories: one main landmark and one h1 per page, not per story.
  const Frame = viewMode === 'docs' ? 'div' : 'main'
  return (
    <Frame
      data-theme={theme}
      style={{
        boxSizing: 'border-box',
        minHeight: viewMode === 'docs' ? undefined : '100vh',
        padding: 24,
        fontFamily: 'var(--rivulet-font)',
        color: 'var(--rivulet-fg)',
        background: 'var(--rivulet-bg)',
      }}
    >
      {viewMode !== 'docs' && <h1 style={VISUALLY_HIDDEN}>{`${title.split('/').at(-1)}: ${name}`}</h1>}
      <Story />
    </Frame>
  )
}

const preview: Preview = {
  loaders: [mswLoader(startWorker)],
  // A story's `once` handlers answer again when the story is shown again.
  beforeEach: ({ msw }) => msw?.restoreHandlers(),
  decorators: [withFrame],
  globalTypes: {
    theme: {
      description: 'Color scheme of @rivulet/ui/styles.css',
      toolbar: {
        title: 'Theme',
        icon: 'contrast',
        items: [
          { value: 'system', title: 'System theme' },
          { value: 'light', title: 'Light' },
          { value: 'dark', title: 'Dark' },
        ],
        dynamicTitle: true,
      },
    },
    motion: {
      description: 'Emulate prefers-reduced-motion for the components',
      toolbar: {
        title: 'Motion',
        icon: 'accessibility',
        items: [
          { value: 'system', title: 'System motion' },
          { value: 'reduce', title: 'Reduced motion' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'system', motion: 'system' },
  parameters: {
    layout: 'fullscreen',
    controls: { expanded: true },
  },
}

export default preview
