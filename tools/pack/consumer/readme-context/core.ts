// What the core quick start leaves to the reader: a request body and an abort signal.
// biome-ignore lint/correctness/noUnusedVariables: the quick start appended to this file uses it
const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
// biome-ignore lint/correctness/noUnusedVariables: the quick start appended to this file uses it
const signal = new AbortController().signal
