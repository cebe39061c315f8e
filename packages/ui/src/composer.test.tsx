// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import { syncScheduler } from '@rivulet/core'
import { controlledTransport } from '@rivulet/core/testing'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChatWindow } from './chat-window.js'
import { accepts, formatBytes } from './composer.js'
import { stubReducedMotion } from './testing/dom.js'

beforeEach(() => stubReducedMotion(true))
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const png = (name = 'cat.png', bytes = 8) => new File([new Uint8Array(bytes)], name, { type: 'image/png' })

function setup(extra: Partial<Parameters<typeof ChatWindow>[0]> = {}) {
  const stream = controlledTransport()
  const view = render(<ChatWindow transport={stream.transport} scheduler={syncScheduler} stats={false} {...extra} />)
  const picker = view.container.querySelector('input[type="file"]') as HTMLInputElement
  const pick = (...files: File[]) => fireEvent.change(picker, { target: { files } })
  const input = screen.getByRole('textbox', { name: 'Message' })
  return { ...stream, view, picker, pick, input }
}

describe('Composer attachments', () => {
  it('attaches picked files with a preview each, and removes one', () => {
    const chat = setup()
    expect(screen.getByRole('button', { name: 'Attach files' })).toBeInTheDocument()
    expect(chat.picker).toHaveAttribute('accept', 'image/*')
    chat.pick(png('a.png'), png('b.png'))
    const list = screen.getByRole('list', { name: 'Attachments' })
    expect(list.querySelectorAll('[data-rivulet="attachment"]')).toHaveLength(2)
    fireEvent.click(screen.getByRole('button', { name: 'Remove a.png' }))
    expect(screen.queryByRole('button', { name: 'Remove a.png' })).toBeNull()
    expect(screen.getByRole('button', { name: 'Remove b.png' })).toBeInTheDocument()
    expect(chat.input).toHaveFocus()
  })

  it('says why a file was not attached: too many, too large, not accepted', () => {
    const chat = setup({ maxFiles: 2, maxFileSize: 1024 })
    chat.pick(png('a.png'), png('b.png'), png('c.png'))
    expect(screen.getByRole('alert')).toHaveTextContent('You can attach up to 2 files.')
    expect(screen.getAllByRole('button', { name: /^Remove/ })).toHaveLength(2)
    fireEvent.click(screen.getByRole('button', { name: 'Remove b.png' }))
    chat.pick(png('big.png', 4096))
    expect(screen.getByRole('alert')).toHaveTextContent('big.png is larger than 0.000977 MB.')
    chat.pick(new File(['x'], 'notes.txt', { type: 'text/plain' }))
    expect(screen.getByRole('alert')).toHaveTextContent('notes.txt is not a kind of file that can be attached.')
    expect(screen.getAllByRole('button', { name: /^Remove/ })).toHaveLength(1)
  })

  it('attaches pasted and dropped files', () => {
    const chat = setup()
    fireEvent.paste(chat.input, { clipboardData: { files: [png('pasted.png')], types: ['Files'] } })
    const form = chat.view.container.querySelector('[data-rivulet="composer"]')!
    fireEvent.dragOver(form, { dataTransfer: { types: ['Files'], files: [] } })
    expect(form).toHaveAttribute('data-dragging')
    fireEvent.drop(form, { dataTransfer: { types: ['Files'], files: [png('dropped.png')] } })
    expect(form).not.toHaveAttribute('data-dragging')
    expect(screen.getByRole('button', { name: 'Remove pasted.png' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Remove dropped.png' })).toBeInTheDocument()
  })

  it('sends the files with the text as file parts, and clears them', async () => {
    const chat = setup()
    chat.pick(png('cat.png'))
    fireEvent.change(chat.input, { target: { value: 'What is this?' } })
    fireEvent.keyDown(chat.input, { key: 'Enter' })
    await waitFor(() => expect(chat.requests).toHaveLength(1))
    const [question] = chat.requests[0]!.messages
    expect(question!.content).toBe('What is this?')
    expect(question!.parts.find((part) => part.type === 'file')).toMatchObject({
      type: 'file',
      mediaType: 'image/png',
      filename: 'cat.png',
      url: expect.stringMatching(/^data:image\/png;base64,/),
    })
    expect(screen.queryByRole('list', { name: 'Attachments' })).toBeNull()
    await act(async () => chat.push('end'))
  })

  it('sends files without text, and nothing when there is neither', async () => {
    const chat = setup()
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled()
    chat.pick(png())
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled()
    fireEvent.click(screen.getByRole('button', { name: 'Send' }))
    await waitFor(() => expect(chat.requests).toHaveLength(1))
  })

  it('has no attach button with attachments={false}', () => {
    const chat = setup({ attachments: false })
    expect(chat.picker).toBeNull()
    expect(screen.queryByRole('button', { name: 'Attach files' })).toBeNull()
  })
})

describe('accept and sizes', () => {
  it('matches types, wildcards and extensions as a file picker does', () => {
    expect(accepts('image/*', png())).toBe(true)
    expect(accepts('image/*', new File([''], 'a.pdf', { type: 'application/pdf' }))).toBe(false)
    expect(accepts('image/png, .pdf', new File([''], 'A.PDF', { type: '' }))).toBe(true)
    expect(accepts('', new File([''], 'x'))).toBe(true)
  })

  it('formats byte limits for people', () => {
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MB')
    expect(formatBytes(2.5 * 1024 * 1024)).toBe('2.5 MB')
    expect(formatBytes(20 * 1000 * 1000)).toBe('19.1 MB')
  })
})
