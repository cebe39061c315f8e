// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import { act } from '@testing-library/react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { StreamingMessage } from './streaming-message.js'
import { shownText, stubReducedMotion } from './testing/dom.js'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('hydration', () => {
  it('hydrates a server-rendered live message without a mismatch, whatever the motion preference', () => {
    stubReducedMotion(true)
    const errors = vi.spyOn(console, 'error')
    const element = <StreamingMessage text="Streamed on the server. Still" streaming />
    const container = document.createElement('div')
    container.innerHTML = renderToString(element)
    let root: Root | undefined
    act(() => {
      root = hydrateRoot(container, element)
    })
    expect(shownText(container)).toBe('Streamed on the server. Still')
    expect(errors).not.toHaveBeenCalled()
    act(() => root?.unmount())
  })
})
