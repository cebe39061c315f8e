// The app's own highlighter module that the markdown quick start imports lazily.
import { createElement, type ReactNode } from 'react'

export const toReact = (code: string, lang: string): ReactNode => createElement('span', { 'data-lang': lang }, code)
