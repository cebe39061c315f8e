// Runs fuzz cases off the test's thread, so a case that freezes its thread (a loop inside a
// built-in, which not even `terminate()` interrupts) fails the test at its deadline.
import { register } from 'node:module'
import { parentPort } from 'node:worker_threads'

register('./typescript-hooks.mjs', import.meta.url)
const { checkCase } = await import('./fuzz.ts')

parentPort.on('message', async (fuzz) => {
  let problems
  try {
    problems = await checkCase(fuzz)
  } catch (error) {
    problems = [`the check itself failed: ${error instanceof Error ? error.stack : String(error)}`]
  }
  parentPort.postMessage(problems)
})
parentPort.postMessage('ready')
