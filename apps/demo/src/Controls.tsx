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
        <Range
          label={`Time to first token: ${settings.ttftMs} ms`}
          min={0}
          max={3000}
          step={50}
          value={settings.ttftMs}
          onChange={(value) => set('ttftMs', value)}
        />
        <Range
          label={`Tokens per second: ${settings.tokensPerSecond === 0 ? 'as fast as possible' : settings.tokensPerSecond}`}
          min={0}
          max={400}
          step={5}
          value={settings.tokensPerSecond}
          onChange={(value) => set('tokensPerSecond', value)}
        />
        <Range
          label={`Jitter: ${Math.round(settings.jitter * 100)}%`}
          min={0}
          max={1}
          step={0.05}
          value={settings.jitter}
          onChange={(value) => set('jitter', value)}
        />
        <Range
          label={`Answer length: ${settings.tokens} tokens`}
          min={10}
          max={2000}
          step={10}
          value={settings.tokens}
          onChange={(value) => set('tokens', value)}
        />
        <label className="demo-check">
          <input type="checkbox" checked={settings.reasoning} onChange={(e) => set('reasoning', e.target.checked)} />
          Reasoning
        </label>
        <label className="demo-check">
          <input type="checkbox" checked={settings.webSearch} onChange={(e) => set('webSearch', e.target.checked)} />
          Web search (cited sources)
        </label>
        <label className="demo-check">
          <input type="checkbox" checked={settings.image} onChange={(e) => set('image', e.target.checked)} />
          Draw an image
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
        <Range
          label={`Fault after ${settings.faultAfter} tokens`}
          min={0}
          max={400}
          step={5}
          value={settings.faultAfter}
          onChange={(value) => set('faultAfter', value)}
        />
      </fieldset>
    </form>
  )
}

/** A labelled slider for one numeric setting. */
function Range({
  label,
  value,
  onChange,
  ...limits
}: {
  label: string
  value: number
  min: number
  max: number
  step: number
  onChange(value: number): void
}) {
  return (
    <Field label={label}>
      {(id) => (
        <input id={id} type="range" {...limits} value={value} onChange={(e) => onChange(Number(e.target.value))} />
      )}
    </Field>
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
