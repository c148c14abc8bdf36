// Requests to the Worker under test, in the same workerd as the tests.
import { exports } from 'cloudflare:workers'

const BASE = 'https://gateway.test/api/v1'

export const call = (path: string, init: RequestInit & { key?: string; json?: unknown } = {}) => {
  const headers = new Headers(init.headers)
  if (init.key) headers.set('authorization', `Bearer ${init.key}`)
  if (init.json !== undefined) headers.set('content-type', 'application/json')
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers, body: body ?? null }))
}

export const chat = (key: string, body: Record<string, unknown>, headers?: HeadersInit) =>
  call('/chat/completions', { method: 'POST', key, json: body, ...(headers ? { headers } : {}) })

/** Data events of an SSE body, parsed; comments and [DONE] reported separately. */
export const readSse = async (response: Response) => {
  const text = await response.text()
  const blocks = text.split('\n\n').filter(Boolean)
  const comments = blocks.filter((b) => b.startsWith(':'))
  const data = blocks.filter((b) => b.startsWith('data: ')).map((b) => b.slice(6))
  const done = data[data.length - 1] === '[DONE]'
  const events = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, any>)
  return { text, comments, events, done }
}
