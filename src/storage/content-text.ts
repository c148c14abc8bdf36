// PURE: the readable text of a stored request and response, for the content read and the Logs
// page: the prompt as role/text turns and the completion as text, from every skin's wire shape
// (chat and legacy completions, Anthropic messages, Responses, embeddings). The request itself is
// stored as sent (redacted), so nothing is lost when a shape is not understood here.
import { isRecord } from '../lib/json.ts'

export interface Turn {
  role: string
  content: string
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** A content value: a string, or parts of which the text ones are kept and the others named (`[image_url]`). */
const partsText = (content: unknown): string => {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return content === null || content === undefined ? '' : JSON.stringify(content)
  return content.map((part) => {
    if (typeof part === 'string') return part
    if (!isRecord(part)) return ''
    const text = str(part['text'])
    if (text !== undefined) return text
    if (part['type'] === 'tool_result') return partsText(part['content'])
    if (part['type'] === 'tool_use') return `[tool_use ${str(part['name']) ?? ''}] ${JSON.stringify(part['input'] ?? {})}`
    return `[${str(part['type']) ?? 'part'}]`
  }).filter((t) => t !== '').join('\n')
}

const toolCallsText = (calls: unknown): string[] =>
  Array.isArray(calls)
    ? calls.filter(isRecord).map((t) => {
        const fn = isRecord(t['function']) ? t['function'] : {}
        return `[tool_call ${str(fn['name']) ?? ''}] ${str(fn['arguments']) ?? ''}`
      })
    : []

const turnOf = (m: unknown): Turn | undefined => {
  if (!isRecord(m)) return undefined
  const role = str(m['role']) ?? str(m['type']) ?? 'user'
  const text = [partsText(m['content'] ?? m['output']), ...toolCallsText(m['tool_calls'])].filter((t) => t !== '').join('\n')
  return { role, content: text }
}

const inputTurns = (input: unknown): Turn[] => {
  if (typeof input === 'string') return [{ role: 'user', content: input }]
  if (!Array.isArray(input)) return []
  if (input.every((i) => typeof i === 'string' || typeof i === 'number')) return [{ role: 'user', content: input.join('\n') }]
  return input.flatMap((i) => turnOf(i) ?? [])
}

/** The prompt's turns, system first: messages (chat, Anthropic), instructions and input (Responses), prompt (completions), input (embeddings). */
export const promptTurns = (request: unknown): Turn[] => {
  if (!isRecord(request)) return typeof request === 'string' && request !== '' ? [{ role: 'user', content: request }] : []
  const system = request['system'] ?? request['instructions']
  const head: Turn[] = system === undefined || system === null ? [] : [{ role: 'system', content: partsText(system) }]
  if (Array.isArray(request['messages'])) return [...head, ...request['messages'].flatMap((m) => turnOf(m) ?? [])]
  if (request['prompt'] !== undefined) return [...head, ...inputTurns(request['prompt'])]
  return [...head, ...inputTurns(request['input'])]
}

/** The completion's text from a JSON response body: choices (chat, completions), content blocks (Anthropic), output (Responses); null for embeddings. */
export const completionText = (response: unknown): string | null => {
  if (!isRecord(response)) return null
  const choices = response['choices']
  if (Array.isArray(choices)) {
    const texts = choices.filter(isRecord).map((ch) => {
      const message = isRecord(ch['message']) ? ch['message'] : undefined
      if (!message) return str(ch['text']) ?? ''
      return [partsText(message['content']), ...toolCallsText(message['tool_calls'])].filter((t) => t !== '').join('\n')
    })
    return texts.join('\n\n')
  }
  if (response['type'] === 'message' && Array.isArray(response['content'])) return partsText(response['content'])
  if (Array.isArray(response['output'])) {
    return response['output'].filter(isRecord).map((item) => {
      if (item['type'] === 'function_call') return `[function_call ${str(item['name']) ?? ''}] ${str(item['arguments']) ?? ''}`
      return partsText(item['content'])
    }).filter((t) => t !== '').join('\n')
  }
  return null
}
