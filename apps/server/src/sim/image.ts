/**
 * A small generated picture for the simulated model to "draw": a 64×64 PNG (a gradient with a
 * ring, its colours from the answer's seed) as a `data:image/png;base64,…` URL, the form image
 * generating models stream. Written by hand with `node:zlib`; about 1 KB.
 * PNG: https://www.w3.org/TR/png-3/ (signature, IHDR, IDAT, IEND chunks, each CRC-32'd)
 */
import { crc32, deflateSync } from 'node:zlib'
import type { Random } from './random.js'

const SIZE = 64
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export interface GeneratedImage {
  mediaType: 'image/png'
  url: string
  filename: string
}

export function generateImage(random: Random): GeneratedImage {
  const from = [random.int(0, 255), random.int(0, 255), random.int(0, 255)]
  const to = [random.int(0, 255), random.int(0, 255), random.int(0, 255)]
  const ring = [255 - (from[0] as number), 255 - (from[1] as number), 255 - (from[2] as number)]
  const radius = random.int(14, 24)
  // Each row: filter byte 0 (none), then RGB per pixel.
  const raw = Buffer.alloc(SIZE * (1 + SIZE * 3))
  for (let y = 0; y < SIZE; y++) {
    const row = y * (1 + SIZE * 3)
    for (let x = 0; x < SIZE; x++) {
      const t = (x + y) / (2 * (SIZE - 1))
      const distance = Math.hypot(x - SIZE / 2, y - SIZE / 2)
      const onRing = Math.abs(distance - radius) < 2.5
      for (let c = 0; c < 3; c++) {
        const value = onRing ? (ring[c] as number) : Math.round((from[c] as number) * (1 - t) + (to[c] as number) * t)
        raw[row + 1 + x * 3 + c] = value
      }
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // colour type: RGB
  const png = Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
  return { mediaType: 'image/png', url: `data:image/png;base64,${png.toString('base64')}`, filename: 'rivulet-sim.png' }
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}
