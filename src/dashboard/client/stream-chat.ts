// One streamed chat completion through POST /api/v1/chat/completions, as the Playground and
// Compare send it: the text as it arrives, then the usage chunk's tokens and cost, with the
// time to first token and the total time measured here, in the browser.
import { EventSourceParserStream } from 'eventsource-parser/stream'
import { API, authHeaders, errorOf } from './api.ts'
import type { StreamResult } from './chat-stats.ts'

export { tokensPerSecond, type StreamResult } from './chat-stats.ts'

export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }

export interface ChatParams {
  model: string
  messages: ChatMessage[]
  temperature?: number
  max_tokens?: number
  top_p?: number
}

interface Chunk {
  id?: string
  model?: string
  provider?: string
  choices?: { delta?: { content?: string | null; reasoning?: string | null }; finish_reason?: string | null }[]
  usage?: { prompt_tokens?: number; completion_tokens?: number; cost?: number }
  error?: { message?: string }
}

export const streamChat = async (params: ChatParams, onUpdate: (r: StreamResult) => void, signal?: AbortSignal): Promise<StreamResult> => {
  const started = performance.now()
  const result: StreamResult = {
    id: null, model: params.model, provider: null, text: '', reasoning: '', finishReason: null,
    promptTokens: null, completionTokens: null, cost: null, ttftMs: null, totalMs: 0, error: null,
  }
  const res = await fetch(`${API}/chat/completions`, {
    method: 'POST',
    headers: { ...authHeaders(), 'Content-Type': 'application/json', 'X-OpenRouter-Title': 'Switchboard Playground' },
    body: JSON.stringify({ ...params, stream: true }),
    ...(signal ? { signal } : {}),
  })
  if (!res.ok || !res.body) throw await errorOf(res)
  // A reader loop rather than `for await`: Safari's streams are not async iterable.
  const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader()
  for (;;) {
    const { done, value: event } = await events.read()
    if (done || event.data === '[DONE]') break
    const chunk = JSON.parse(event.data) as Chunk
    result.id ??= chunk.id ?? null
    if (chunk.model) result.model = chunk.model
    if (chunk.provider) result.provider = chunk.provider
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {}
      if ((delta.content || delta.reasoning) && result.ttftMs === null) result.ttftMs = performance.now() - started
      result.text += delta.content ?? ''
      result.reasoning += delta.reasoning ?? ''
      if (choice.finish_reason) result.finishReason = choice.finish_reason
    }
    if (chunk.error) result.error = chunk.error.message ?? 'The provider failed mid-stream'
    if (chunk.usage) {
      result.promptTokens = chunk.usage.prompt_tokens ?? null
      result.completionTokens = chunk.usage.completion_tokens ?? null
      result.cost = chunk.usage.cost ?? null
    }
    result.totalMs = performance.now() - started
    onUpdate({ ...result })
  }
  result.totalMs = performance.now() - started
  return result
}
