import type { ChatMessage, ToolApproval, ToolPart } from '@rivulet/core'

interface ApprovalsProps {
  messages: readonly ChatMessage[]
  respondToApproval(approval: ToolApproval): void
}

/**
 * The tool calls waiting for the user's yes or no (`needsApproval`), each with Allow and Deny.
 * The chat shows every call and its arguments; this is where the user answers the ones that ask.
 */
export function Approvals({ messages, respondToApproval }: ApprovalsProps) {
  const last = messages.at(-1)
  const waiting =
    last?.role === 'assistant'
      ? last.parts.filter((part): part is ToolPart => part.type === 'tool' && part.state === 'approval-requested')
      : []
  if (waiting.length === 0) return null
  return (
    <section className="demo-approvals" aria-label="Tool calls waiting for approval" data-demo="approvals">
      {waiting.map((call) => (
        <fieldset key={call.toolCallId} className="demo-approval">
          <legend>
            Allow <code>{call.name}</code> with <code>{JSON.stringify(call.input)}</code>?
          </legend>
          <button
            type="button"
            data-demo="approve"
            onClick={() => respondToApproval({ toolCallId: call.toolCallId, approved: true })}
          >
            Allow
          </button>
          <button
            type="button"
            data-demo="deny"
            onClick={() =>
              respondToApproval({ toolCallId: call.toolCallId, approved: false, reason: 'The user said no.' })
            }
          >
            Deny
          </button>
        </fieldset>
      ))}
    </section>
  )
}
