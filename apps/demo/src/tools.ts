import type { ToolDefinition } from '@rivulet/core'

/**
 * The demo's tools. The simulated model calls one when the message is about it ("What is the
 * weather in Oslo?", "Multiply 6 by 7"), fills its arguments from the message, and answers from
 * the result in the next step. Both run here in the page; the weather one asks first. The
 * session checks arguments against `inputSchema` before `execute` runs, so `execute` may take
 * them as their type.
 */

export interface WeatherInput {
  city: string
  unit?: 'celsius' | 'fahrenheit'
}

export interface Weather {
  city: string
  temperature: number
  unit: 'celsius' | 'fahrenheit'
  conditions: string
}

const CONDITIONS = ['clear skies', 'light rain', 'overcast', 'fog', 'snow showers', 'sunny spells']

/** Made-up but stable weather: the same city always gets the same report. */
export function weatherFor({ city, unit = 'celsius' }: WeatherInput): Weather {
  let hash = 0
  for (const char of city.toLowerCase()) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0
  const celsius = (hash % 35) - 5
  return {
    city,
    temperature: unit === 'fahrenheit' ? Math.round(celsius * 1.8 + 32) : celsius,
    unit,
    conditions: CONDITIONS[hash % CONDITIONS.length] as string,
  }
}

export type Operation = 'add' | 'subtract' | 'multiply' | 'divide'

export interface CalculationInput {
  operation: Operation
  a: number
  b: number
}

/** One arithmetic step. Dividing by zero throws: the model is told the tool failed, and why. */
export function calculate({ operation, a, b }: CalculationInput): { result: number } {
  switch (operation) {
    case 'add':
      return { result: a + b }
    case 'subtract':
      return { result: a - b }
    case 'multiply':
      return { result: a * b }
    case 'divide':
      if (b === 0) throw new Error('Cannot divide by zero')
      return { result: a / b }
  }
}

export interface DemoToolsOptions {
  /** How long the pretend weather service takes to answer. Default 400 ms. */
  weatherDelayMs?: number
}

export function createDemoTools({ weatherDelayMs = 400 }: DemoToolsOptions = {}): Record<string, ToolDefinition> {
  return {
    get_weather: {
      description: 'The current weather for a city',
      inputSchema: {
        type: 'object',
        properties: {
          city: { type: 'string', description: 'The city, e.g. Oslo' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['city'],
        additionalProperties: false,
      },
      // Looking a place up tells a weather service where you are: the user says yes first.
      needsApproval: true,
      execute: (input, { signal }) =>
        new Promise<Weather>((resolve, reject) => {
          const timer = setTimeout(() => resolve(weatherFor(input as WeatherInput)), weatherDelayMs)
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer)
              reject(signal.reason)
            },
            { once: true },
          )
        }),
    },
    calculate: {
      description: 'Add, subtract, multiply or divide two numbers',
      inputSchema: {
        type: 'object',
        properties: {
          operation: { type: 'string', enum: ['add', 'subtract', 'multiply', 'divide'] },
          a: { type: 'number' },
          b: { type: 'number' },
        },
        required: ['operation', 'a', 'b'],
        additionalProperties: false,
      },
      execute: (input) => calculate(input as CalculationInput),
    },
  }
}

export const demoTools = createDemoTools()
