export type { Browser, Page } from 'playwright-core'
export {
  type AxeViolation,
  announceSkippedBrowserTests,
  browserTestsEnabled,
  CHROMIUM_PATH,
  collectErrors,
  hasChromium,
  launchChromium,
  seriousViolations,
} from './chromium.js'
export { type StaticServer, serveStatic } from './static.js'
