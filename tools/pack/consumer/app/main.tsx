// A small app as a user writes it against the installed packages; bundled by Vite in the test.
import { demoServer } from '@rivulet/core'
import { Markdown } from '@rivulet/markdown'
import { useStreamingChat } from '@rivulet/react'
import { streamQueryOptions } from '@rivulet/react/query'
import { ChatWindow, StreamStats } from '@rivulet/ui'
import '@rivulet/ui/styles.css'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { createRoot } from 'react-dom/client'

const transport = demoServer()
const queryClient = new QueryClient()

function Stats() {
  const chat = useStreamingChat({ transport })
  return <StreamStats source={chat} />
}

const root = document.getElementById('root')
if (!root) throw new Error('no #root')
console.log(streamQueryOptions)
createRoot(root).render(
  <QueryClientProvider client={queryClient}>
    <ChatWindow transport={transport} />
    <Stats />
    <Markdown text="bundled **by Vite**" />
  </QueryClientProvider>,
)
