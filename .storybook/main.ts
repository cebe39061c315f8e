import type { StorybookConfig } from '@storybook/react-vite'
import { defaultClientConditions } from 'vite'

const config: StorybookConfig = {
  framework: '@storybook/react-vite',
  stories: ['../packages/ui/src/**/*.stories.tsx', '../packages/markdown/src/**/*.stories.tsx'],
  // MSW's worker script (`mockServiceWorker.js`), served beside iframe.html.
  staticDirs: ['./public'],
  core: {
    // The build runs without network: nothing may phone home.
    disableTelemetry: true,
    enableCrashReports: false,
  },
  viteFinal(config) {
    // Workspace packages resolve to their TypeScript sources, as in vitest.config.ts: stories need
    // no package build. Setting conditions replaces Vite's defaults, so they follow ours.
    config.resolve = { ...config.resolve, conditions: ['@rivulet/source', ...defaultClientConditions] }
    return config
  },
}

export default config
