import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type StaticServer, serveStatic } from '@rivulet/browser-harness'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** A raw GET, so the path goes out exactly as written (fetch would normalize it). */
function get(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'GET', path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.setTimeout(2000, () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end()
  })
}

describe('the static server of pnpm demo', () => {
  let root: string
  let server: StaticServer

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rivulet-static-'))
    await writeFile(join(root, 'index.html'), '<!doctype html><title>demo</title>')
    await writeFile(join(root, 'app.js'), 'console.log(1)')
    server = await serveStatic(root)
  })
  afterAll(async () => {
    await server.close()
    await rm(root, { recursive: true, force: true })
  })

  it('answers 400 to a path that is not valid percent-encoding, and goes on serving', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/assets/%zz.js', '/%C0%AF']) {
      expect((await get(server.url, path)).status, path).toBe(400)
    }
    const after = await get(server.url, '/app.js')
    expect(after).toEqual({ status: 200, body: 'console.log(1)' })
  })

  it('serves index.html for unknown paths and refuses to leave its root', async () => {
    expect((await get(server.url, '/some/route')).body).toContain('<title>demo</title>')
    const traversal = await get(server.url, '/%2e%2e/%2e%2e/etc/passwd')
    expect(traversal.body).not.toContain('root:')
  })
})
