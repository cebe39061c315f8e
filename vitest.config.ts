import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources, so tests need no build. Setting
// conditions replaces Vite's defaults, so those are listed again after ours.
const source = '@rivulet/source'

export default defineConfig({
  resolve: {
    conditions: [source, 'module', 'browser', 'development|production'],
  },
  ssr: {
    resolve: {
      conditions: [source, 'module', 'node', 'development|production'],
      externalConditions: [source],
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.{ts,tsx}',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.{ts,tsx}',
      'apps/*/test/**/*.test.ts',
      'benchmarks/src/**/*.test.ts',
    ],
    environment: 'node',
    globalSetup: ['tools/browser/src/vitest-setup.ts'],
  },
})
