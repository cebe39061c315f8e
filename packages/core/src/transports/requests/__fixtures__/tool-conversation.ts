/**
 * A two-step tool conversation (a photo, a signed thought, a tool call and its result, a
 * denied approval, a stopped answer with text, a failed answer with none) and the request body
 * each preset must send for it, written from each provider's API reference. The bodies are also
 * checked against the official SDKs' request types (apps/server/test/sdk-request-types.ts).
 */
import type { ChatMessage, MessagePart, ToolDefinition } from '../../../session/message.js'

let ids = 0
export function message(role: ChatMessage['role'], parts: MessagePart[], extra: Partial<ChatMessage> = {}): ChatMessage {
  const content = parts.map((part) => (part.type === 'text' ? part.text : '')).join('')
  return { id: `m${++ids}`, role, parts, content, ...extra }
}
export const text = (role: ChatMessage['role'], value: string): ChatMessage =>
  message(role, [{ type: 'text', text: value }])

export const PNG = 'iVBORw0KGgo='

export const tools: Record<string, ToolDefinition> = {
  get_weather: {
    description: 'Current weather for a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  book_ticket: {
    description: 'Book a museum ticket',
    inputSchema: { type: 'object', properties: { museum: { type: 'string' } }, required: ['museum'] },
    needsApproval: true,
  },
}

export const conversation: ChatMessage[] = [
  text('system', 'You are a travel assistant.'),
  message('user', [
    { type: 'text', text: 'What is the weather like where I took this?' },
    { type: 'file', mediaType: 'image/png', url: `data:image/png;base64,${PNG}`, filename: 'paris.png' },
  ]),
  message(
    'assistant',
    [
      {
        type: 'reasoning',
        text: 'The photo shows Paris.',
        // Each provider's decoder attaches its own; a builder reads only its provider's.
        providerMetadata: {
          anthropic: { signature: 'sig-1' },
          google: { thoughtSignature: 'gsig-1' },
          openai: { itemId: 'rs_1', encryptedContent: 'enc-1' },
        },
      },
      { type: 'text', text: 'That is Paris. Let me check.' },
      {
        type: 'tool',
        toolCallId: 'call_1',
        name: 'get_weather',
        state: 'output-available',
        input: { city: 'Paris' },
        output: { tempC: 18, sky: 'cloudy' },
        providerMetadata: { google: { thoughtSignature: 'gsig-2' } },
      },
      { type: 'step-start' },
      { type: 'text', text: 'It is 18 °C and cloudy. I will book the Louvre for you.' },
      {
        type: 'tool',
        toolCallId: 'call_2',
        name: 'book_ticket',
        state: 'output-denied',
        input: { museum: 'Louvre' },
      },
      { type: 'step-start' },
      { type: 'text', text: 'Understood, no booking.' },
    ],
    { status: 'done', finishReason: 'stop' },
  ),
  text('user', 'Any tips?'),
  // Stopped while answering: sent as it was shown.
  message('assistant', [{ type: 'text', text: 'Bring an umbrella and' }], { status: 'aborted' }),
  text('user', 'And tomorrow?'),
  // Failed before anything arrived: not sent.
  message('assistant', [], { status: 'error' }),
  text('user', 'Tomorrow, please.'),
]

const DENIED = 'The user denied this tool call.'
const WEATHER = '{"tempC":18,"sky":"cloudy"}'
const weatherSchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } as const
const bookSchema = { type: 'object', properties: { museum: { type: 'string' } }, required: ['museum'] } as const

/** https://platform.openai.com/docs/api-reference/chat/create */
export const openaiChatBody = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a travel assistant.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is the weather like where I took this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      ],
    },
    {
      role: 'assistant',
      content: 'That is Paris. Let me check.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    },
    { role: 'tool', tool_call_id: 'call_1', content: WEATHER },
    {
      role: 'assistant',
      content: 'It is 18 °C and cloudy. I will book the Louvre for you.',
      tool_calls: [
        { id: 'call_2', type: 'function', function: { name: 'book_ticket', arguments: '{"museum":"Louvre"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_2', content: DENIED },
    { role: 'assistant', content: 'Understood, no booking.' },
    { role: 'user', content: 'Any tips?' },
    { role: 'assistant', content: 'Bring an umbrella and' },
    { role: 'user', content: 'And tomorrow?' },
    { role: 'user', content: 'Tomorrow, please.' },
  ],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 512,
  tools: [
    {
      type: 'function',
      function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherSchema },
    },
    {
      type: 'function',
      function: { name: 'book_ticket', description: 'Book a museum ticket', parameters: bookSchema },
    },
  ],
} as const

/** https://platform.openai.com/docs/api-reference/responses/create */
export const openaiResponsesBody = {
  model: 'gpt-5-mini',
  input: [
    { role: 'system', content: 'You are a travel assistant.' },
    {
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is the weather like where I took this?' },
        { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'auto' },
      ],
    },
    {
      type: 'reasoning',
      id: 'rs_1',
      encrypted_content: 'enc-1',
      summary: [{ type: 'summary_text', text: 'The photo shows Paris.' }],
    },
    { role: 'assistant', content: 'That is Paris. Let me check.' },
    { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'function_call_output', call_id: 'call_1', output: WEATHER },
    { role: 'assistant', content: 'It is 18 °C and cloudy. I will book the Louvre for you.' },
    { type: 'function_call', call_id: 'call_2', name: 'book_ticket', arguments: '{"museum":"Louvre"}' },
    { type: 'function_call_output', call_id: 'call_2', output: DENIED },
    { role: 'assistant', content: 'Understood, no booking.' },
    { role: 'user', content: [{ type: 'input_text', text: 'Any tips?' }] },
    { role: 'assistant', content: 'Bring an umbrella and' },
    { role: 'user', content: [{ type: 'input_text', text: 'And tomorrow?' }] },
    { role: 'user', content: [{ type: 'input_text', text: 'Tomorrow, please.' }] },
  ],
  stream: true,
  store: false,
  include: ['reasoning.encrypted_content'],
  max_output_tokens: 512,
  tools: [
    {
      type: 'function',
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: weatherSchema,
      strict: false,
    },
    { type: 'function', name: 'book_ticket', description: 'Book a museum ticket', parameters: bookSchema, strict: false },
  ],
} as const

/** https://docs.anthropic.com/en/api/messages */
export const anthropicBody = {
  model: 'claude-sonnet-4-5',
  max_tokens: 512,
  stream: true,
  system: 'You are a travel assistant.',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is the weather like where I took this?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'The photo shows Paris.', signature: 'sig-1' },
        { type: 'text', text: 'That is Paris. Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: WEATHER }] },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'It is 18 °C and cloudy. I will book the Louvre for you.' },
        { type: 'tool_use', id: 'call_2', name: 'book_ticket', input: { museum: 'Louvre' } },
      ],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'call_2', content: DENIED, is_error: true }],
    },
    { role: 'assistant', content: [{ type: 'text', text: 'Understood, no booking.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Any tips?' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Bring an umbrella and' }] },
    // The failed answer between them is left out; the two user turns are one.
    {
      role: 'user',
      content: [
        { type: 'text', text: 'And tomorrow?' },
        { type: 'text', text: 'Tomorrow, please.' },
      ],
    },
  ],
  tools: [
    { name: 'get_weather', description: 'Current weather for a city', input_schema: weatherSchema },
    { name: 'book_ticket', description: 'Book a museum ticket', input_schema: bookSchema },
  ],
} as const

/** https://ai.google.dev/api/generate-content#request-body */
export const geminiBody = {
  contents: [
    {
      role: 'user',
      parts: [
        { text: 'What is the weather like where I took this?' },
        { inlineData: { mimeType: 'image/png', data: PNG } },
      ],
    },
    {
      role: 'model',
      parts: [
        { text: 'The photo shows Paris.', thought: true, thoughtSignature: 'gsig-1' },
        { text: 'That is Paris. Let me check.' },
        { functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'gsig-2' },
      ],
    },
    {
      role: 'user',
      parts: [
        { functionResponse: { id: 'call_1', name: 'get_weather', response: { output: { tempC: 18, sky: 'cloudy' } } } },
      ],
    },
    {
      role: 'model',
      parts: [
        { text: 'It is 18 °C and cloudy. I will book the Louvre for you.' },
        { functionCall: { id: 'call_2', name: 'book_ticket', args: { museum: 'Louvre' } } },
      ],
    },
    {
      role: 'user',
      parts: [{ functionResponse: { id: 'call_2', name: 'book_ticket', response: { error: DENIED } } }],
    },
    { role: 'model', parts: [{ text: 'Understood, no booking.' }] },
    { role: 'user', parts: [{ text: 'Any tips?' }] },
    { role: 'model', parts: [{ text: 'Bring an umbrella and' }] },
    { role: 'user', parts: [{ text: 'And tomorrow?' }, { text: 'Tomorrow, please.' }] },
  ],
  systemInstruction: { parts: [{ text: 'You are a travel assistant.' }] },
  tools: [
    {
      functionDeclarations: [
        { name: 'get_weather', description: 'Current weather for a city', parametersJsonSchema: weatherSchema },
        { name: 'book_ticket', description: 'Book a museum ticket', parametersJsonSchema: bookSchema },
      ],
    },
  ],
  generationConfig: { maxOutputTokens: 512 },
} as const

/** https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion */
export const ollamaBody = {
  model: 'qwen3',
  messages: [
    { role: 'system', content: 'You are a travel assistant.' },
    { role: 'user', content: 'What is the weather like where I took this?', images: [PNG] },
    {
      role: 'assistant',
      content: 'That is Paris. Let me check.',
      thinking: 'The photo shows Paris.',
      tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }],
    },
    { role: 'tool', content: WEATHER, tool_name: 'get_weather' },
    {
      role: 'assistant',
      content: 'It is 18 °C and cloudy. I will book the Louvre for you.',
      tool_calls: [{ function: { name: 'book_ticket', arguments: { museum: 'Louvre' } } }],
    },
    { role: 'tool', content: DENIED, tool_name: 'book_ticket' },
    { role: 'assistant', content: 'Understood, no booking.' },
    { role: 'user', content: 'Any tips?' },
    { role: 'assistant', content: 'Bring an umbrella and' },
    { role: 'user', content: 'And tomorrow?' },
    { role: 'user', content: 'Tomorrow, please.' },
  ],
  stream: true,
  tools: openaiChatBody.tools,
  options: { num_predict: 512 },
} as const
