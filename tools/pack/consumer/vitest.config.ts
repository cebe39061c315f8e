import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['readme/**/*.test.ts', '*.test.tsx'], environment: 'node' },
})
