import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The React, UI and markdown suites again, with React 18.3 and the lowest @tanstack/react-query
// `@rivulet/react` claims in place of the workspace's versions. Everything that imports React
// is aliased to this package's copies, so no test loads a second React.
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const modules = here('./node_modules/')
const source = '@rivulet/source'

export default defineConfig({
  root: here('../..'),
  resolve: {
    conditions: [source, 'module', 'browser', 'development|production'],
    alias: [
      { find: /^(react|react-dom)(\/.*)?$/, replacement: `${modules}$1$2` },
      { find: /^@tanstack\/react-query$/, replacement: `${modules}@tanstack/react-query` },
      { find: /^@testing-library\/react$/, replacement: `${modules}@testing-library/react` },
    ],
  },
  ssr: {
    resolve: {
      conditions: [source, 'module', 'node', 'development|production'],
      externalConditions: [source],
    },
  },
  test: {
    name: 'react18',
    include: [
      'tools/react18/test/**/*.test.{ts,tsx}',
      'packages/react/src/**/*.test.{ts,tsx}',
      'packages/ui/src/**/*.test.{ts,tsx}',
      'packages/markdown/src/**/*.test.{ts,tsx}',
    ],
    environment: 'node',
    // Storybook's React renderer (composeStories in the stories suite) imports React itself:
    // processed by Vite, it gets the aliases too.
    server: { deps: { inline: [/@storybook\//] } },
  },
})
