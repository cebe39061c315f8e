import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export const appRoot = fileURLToPath(new URL('..', import.meta.url))

/** Builds the demo app with Vite into `outDir` (default apps/demo/dist). */
export async function buildDemo(outDir = `${appRoot}dist`): Promise<string> {
  await build({ root: appRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  return outDir
}
