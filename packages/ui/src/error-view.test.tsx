// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest'
import { StreamError } from '@rivulet/core'
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorView, errorSentence } from './error-view.js'

afterEach(cleanup)

describe('errorSentence', () => {
  it('says what happened for people, per kind and status', () => {
    const cases: [StreamError, string][] = [
      [
        new StreamError('http', 'HTTP 429 Too Many Requests', { status: 429, retryAfterMs: 20_000 }),
        'Too many requests right now. Try again in 20 s.',
      ],
      [new StreamError('http', 'HTTP 529 unknown: Overloaded', { status: 529 }), 'The model is overloaded right now.'],
      [new StreamError('provider', 'Overloaded', { code: 'overloaded_error' }), 'The model is overloaded right now.'],
      [new StreamError('provider', 'slow down', { code: 'rate_limit_exceeded' }), 'Too many requests right now.'],
      [new StreamError('http', 'HTTP 401', { status: 401 }), 'The request was not allowed. Check the API key.'],
      [new StreamError('http', 'HTTP 500', { status: 500 }), 'The server had a problem answering.'],
      [new StreamError('http', 'HTTP 400 bad', { status: 400 }), 'The request was refused.'],
      [new StreamError('network', 'Failed to fetch'), 'Could not reach the server. Check your connection.'],
      [new StreamError('interrupted', 'ended early'), 'The connection dropped before the answer was finished.'],
      [new StreamError('timeout', 'no first token'), 'The model took too long to answer.'],
      [new StreamError('aborted', 'Stopped by the user'), 'The answer was stopped.'],
      [new StreamError('limit', 'line too long'), 'The answer was too large to receive.'],
      [new StreamError('parse', 'bad JSON'), 'The answer came in a form that could not be read.'],
      [new StreamError('provider', 'content policy'), 'The model could not answer.'],
    ]
    expect(cases.map(([error]) => errorSentence(error))).toEqual(cases.map(([, sentence]) => sentence))
  })

  it('takes translated labels', () => {
    expect(
      errorSentence(new StreamError('http', 'x', { status: 429, retryAfterMs: 1500 }), {
        errorRateLimited: 'Trop de requêtes.',
        errorRetryIn: 'Réessayez dans {seconds} s.',
      }),
    ).toBe('Trop de requêtes. Réessayez dans 2 s.')
  })
})

describe('ErrorView', () => {
  it('alerts with the sentence and keeps the developer message in closed details', () => {
    const { container } = render(
      <ErrorView error={new StreamError('http', 'HTTP 529 unknown: Overloaded', { status: 529 })} />,
    )
    expect(screen.getByRole('alert')).toHaveTextContent('The model is overloaded right now.')
    expect(screen.getByRole('alert')).not.toHaveTextContent('HTTP 529')
    const details = container.querySelector('details')!
    expect(details.open).toBe(false)
    expect(details.querySelector('summary')).toHaveTextContent('Details')
    expect(details).toHaveTextContent('HTTP 529 unknown: Overloaded')
    expect(container.firstElementChild).toHaveAttribute('data-http-status', '529')
  })
})
