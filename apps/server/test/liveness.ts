import { request } from 'node:http'
import { expect } from 'vitest'

/**
 * The server still answers `/health` within 50 ms. A probe that misses is retried twice: a
 * garbage collection in this (shared) process can take one; a blocked server misses all three.
 */
export async function expectResponsive(url: string): Promise<void> {
  const probe = () =>
    new Promise<boolean>((resolve) => {
      const req = request(`${url}/health`, { agent: false, timeout: 50 }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode === 200))
      })
      req.on('timeout', () => {
        req.destroy()
        resolve(false)
      })
      req.on('error', () => resolve(false))
      req.end()
    })
  for (let attempt = 0; attempt < 3; attempt++) if (await probe()) return
  expect.fail('/health did not answer within 50 ms')
}
