import { announceSkippedBrowserTests } from './chromium.js'

export default function setup(): void {
  announceSkippedBrowserTests()
}
