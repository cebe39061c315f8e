import { type ReactNode, useId } from 'react'
import type { FaultKind, Settings, TransportKind } from './settings.js'

const TRANSPORTS: Array<[TransportKind, string]> = [
  ['openai', 'OpenAI-compatible SSE'],
  ['anthropic', 'Anthropic SSE'],
  ['websocket', 'WebSocket'],
]
const BUFFERS: Array<Settings['buffer']> = ['none', 'char', 'word', 'sentence', 'line']
const FAULTS: Array<[FaultKind, string]> = [
  ['none', 'None'],
  ['drop', 'Drop the connection'],
  ['stall', 'Stall for 20 s'],
  ['http-429', 'HTTP 429 (rate limited)'],
  ['http-500', 'HTTP 500'],
  ['http-529', 'HTTP 529 (overloaded)'],
  ['malformed', 'Malformed event'],
  ['provider-error', 'Provider error event'],
]

interface ControlsProps {
  settings: Settings
  onChange(settings: Settings): void
  disabled: boolean
}

/** The demo's knobs: wire format, buffering and what the simulated model does. */
export function Controls({ settings, onChange, disabled }: ControlsProps) {
  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => onChange({ ...settings, [key]: value })
  return (
    <form className="demo-controls" aria-label="Stream settings" onSubmit={(event) => event.preventDefault()}>
      <fieldset disabled={disabled}>
        <legend>Transport</legend>
        {TRANSPORTS.map(([value, label]) => (
          <label key={value} className="demo-radio">
            <input
              type="radio"
              name="transport"
              value={value}
              checked={settings.transport === value}
              onChange={() => set('transport', value)}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Display</legend>
        <Field label="Buffer">
          {(id) => (
            <select
              id={id}
              value={settings.buffer}
              onChange={(e) => set('buffer', e.target.value as Settings['buffer'])}
            >
              {BUFFERS.map((buffer) => (
                <option key={buffer} value={buffer}>
                  {buffer}
                </option>
              ))}
            </select>
          )}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Simulated model</legend>
        <Field label={`Time to first token: ${settings.ttftMs} ms`}>
          {(id) => (
            <input
              id={id}
              type="range"
              min={0}
              max={3000}
              step={50}
              value={settings.ttftMs}
              onChange={(e) => set('ttftMs', Number(e.target.value))}
            />
          )}
        </Field>
        <Field
          label={`Tokens per second: ${settings.tokensPerSecond === 0 ? 'as fast as possible' : settings.tokensPerSecond}`}
        >
          {(id) => (
            <input
              id={id}
              type="range"
              min={0}
              max={400}
              step={5}
              value={settings.tokensPerSecond}
              onChange={(e) => set('tokensPerSecond', Number(e.target.value))}
            />
          )}
        </Field>
        <Field label={`Jitter: ${Math.round(settings.jitter * 100)}%`}>
          {(id) => (
            <input
              id={id}
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={settings.jitter}
              onChange={(e) => set('jitter', Number(e.target.value))}
            />
          )}
        </Field>
        <Field label={`Answer length: ${settings.tokens} tokens`}>
          {(id) => (
            <input
              id={id}
              type="range"
              min={10}
              max={2000}
              step={10}
              value={settings.tokens}
              onChange={(e) => set('tokens', Number(e.target.value))}
            />
          )}
        </Field>
        <label className="demo-check">
          <input type="checkbox" checked={settings.reasoning} onChange={(e) => set('reasoning', e.target.checked)} />
          Reasoning
        </label>
        <Field label="Fault">
          {(id) => (
            <select id={id} value={settings.fault} onChange={(e) => set('fault', e.target.value as FaultKind)}>
              {FAULTS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={`Fault after ${settings.faultAfter} tokens`}>
          {(id) => (
            <input
              id={id}
              type="range"
              min={0}
              max={400}
              step={5}
              value={settings.faultAfter}
              onChange={(e) => set('faultAfter', Number(e.target.value))}
            />
          )}
        </Field>
      </fieldset>
    </form>
  )
}

/** A labelled control: the label names the control by id, which `children` puts on it. */
function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId()
  return (
    <div className="demo-field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  )
}
