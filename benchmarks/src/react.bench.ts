export interface ReactResult {
  markdown: string
  budgets: Array<[string, string, boolean]>
}

/** React rendering in real Chromium: see react-page/ and the browser harness. */
export async function reactBenchmarks(_options: { tokens: number }): Promise<ReactResult> {
  throw new Error('the Chromium page benchmark needs the built demo page (not yet wired)')
}
