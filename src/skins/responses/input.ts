// Responses `input` (+ `instructions`) → canonical chat messages. Input is a flat list of
// items; the assistant's side of a turn (reasoning, its message, its function calls) is
// gathered into one assistant message, as chat holds it, until the next user, system or
// tool-output item.
import type { ContentPart, Message } from '../../schemas/chat-request.ts'
import { invalidParam as refuse } from './errors.ts'
import { appendDetails, openDetails, type Detail } from './reasoning.ts'
import type { InputItem, InputPart, ResponsesRequest } from './request.ts'
import { customArguments, type ToolTable } from './tools.ts'

type ToolCall = NonNullable<Extract<Message, { role: 'assistant' }>['tool_calls']>[number]
type ItemOf<T extends InputItem['type']> = Extract<InputItem, { type: T }>

const NO_FILES = 'file ids need stored files, which this stateless endpoint does not have; send the content inline'

const partOf = (p: InputPart, path: string): ContentPart => {
  switch (p.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: p.text }
    case 'refusal':
      return { type: 'text', text: p.refusal }
    case 'input_image':
      if (!p.image_url) return refuse(`${path}.image_url`, p.file_id ? NO_FILES : 'an image needs image_url (a URL or a data URL)')
      return { type: 'image_url', image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) } }
    case 'input_file': {
      const data = p.file_data ?? p.file_url
      if (!data) return refuse(`${path}.file_data`, p.file_id ? NO_FILES : 'a file needs file_data or file_url')
      return { type: 'file', file: { file_data: data, ...(p.filename ? { filename: p.filename } : {}) } }
    }
  }
}

const textOf = (parts: ContentPart[]): string | null =>
  parts.every((p) => p.type === 'text') ? parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n') : null

/** Tool output: text-only lists become one string (every host takes that); images stay parts. */
const toolContent = (output: ItemOf<'function_call_output'>['output'], path: string): string | ContentPart[] => {
  if (typeof output === 'string') return output
  const parts = output.map((p, k) => partOf(p, `${path}.output.${k}`))
  return textOf(parts) ?? parts
}

interface AssistantTurn {
  text: string[]
  reasoning: string[]
  details: Detail[]
  calls: ToolCall[]
}

const reasoningText = (item: ItemOf<'reasoning'>): string => {
  const summary = (item.summary ?? []).map((s) => s.text).filter(Boolean)
  return (summary.length ? summary : (item.content ?? []).map((c) => c.text)).join('\n\n')
}

/** The canonical messages of a request: instructions first, then every input item in order. */
export const toMessages = (req: ResponsesRequest, tools: ToolTable): Message[] => {
  const messages: Message[] = []
  if (req.instructions) messages.push({ role: 'system', content: req.instructions })
  if (typeof req.input === 'string') {
    messages.push({ role: 'user', content: req.input })
    return messages
  }

  let turn: AssistantTurn | null = null
  const assistant = (): AssistantTurn => (turn ??= { text: [], reasoning: [], details: [], calls: [] })
  /** A turn with only reasoning (e.g. an interrupted one) has nothing a host could take: it is left out. */
  const closeTurn = () => {
    if (turn && (turn.text.length || turn.calls.length)) {
      messages.push({
        role: 'assistant',
        content: turn.text.length ? turn.text.join('') : null,
        ...(turn.calls.length ? { tool_calls: turn.calls } : {}),
        ...(turn.reasoning.length ? { reasoning: turn.reasoning.join('\n\n') } : {}),
        ...(turn.details.length ? { reasoning_details: turn.details } : {}),
      })
    }
    turn = null
  }

  for (const [i, item] of req.input.entries()) {
    const path = `input.${i}`
    switch (item.type) {
      case 'message': {
        if (item.role === 'assistant') {
          const parts = typeof item.content === 'string' ? [item.content] : item.content.map((p, k) => {
            const part = partOf(p, `${path}.content.${k}`)
            return part.type === 'text' ? part.text : refuse(`${path}.content.${k}.type`, 'assistant history holds text only')
          })
          assistant().text.push(parts.join(''))
          break
        }
        closeTurn()
        const content = typeof item.content === 'string' ? item.content : item.content.map((p, k) => partOf(p, `${path}.content.${k}`))
        // developer is system under another name; not every host knows the role.
        messages.push({ role: item.role === 'developer' ? 'system' : item.role, content })
        break
      }
      case 'reasoning': {
        const t = assistant()
        const text = reasoningText(item)
        if (text) t.reasoning.push(text)
        if (item.encrypted_content) t.details = appendDetails(t.details, openDetails(item.encrypted_content))
        break
      }
      case 'function_call':
        assistant().calls.push({ id: item.call_id, type: 'function', function: { name: tools.canonicalName(item.name, item.namespace), arguments: item.arguments } })
        break
      case 'custom_tool_call':
        assistant().calls.push({ id: item.call_id, type: 'function', function: { name: tools.canonicalName(item.name, item.namespace), arguments: customArguments(item.input) } })
        break
      case 'function_call_output':
      case 'custom_tool_call_output':
        closeTurn()
        messages.push({ role: 'tool', tool_call_id: item.call_id, content: toolContent(item.output, path) })
        break
    }
  }
  closeTurn()
  if (messages.length === 0) refuse('input', 'no message to answer (only reasoning items)')
  return messages
}
