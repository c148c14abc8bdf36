// Anthropic turns and content blocks → canonical (OpenAI chat) messages. Nothing the
// anthropic adapter can send back is lost: cache_control stays on parts and messages,
// thinking and redacted_thinking become reasoning_details with their signatures (the
// adapter turns them back into the same blocks), tool_result's is_error rides on the
// tool message. Other wires get what they can take: tools as function calls,
// tool_result as tool messages, images as image_url parts, PDFs as file parts.
import { redactedDetail, thinkingDetail, toolCallOf } from '../../providers/anthropic.ts'
import type { ReasoningDetail } from '../../providers/types.ts'
import type { CacheControl } from '../../providers/wire/anthropic.ts'
import type { ContentPart, Message } from '../../schemas/chat-request.ts'
import type {
  ContentBlock, DocumentBlock, ImageBlock, MessageParam, MessagesRequest, SearchResultBlock, TextBlock, ToolResultBlock, ToolResultPart,
} from './request.ts'

type Cache = CacheControl | null | undefined
type ToolCall = NonNullable<Extract<Message, { role: 'assistant' }>['tool_calls']>[number]

const cacheOf = (cache: Cache): { cache_control?: CacheControl } => (cache ? { cache_control: cache } : {})

const textPart = (text: string, cache: Cache): ContentPart => ({ type: 'text', text, ...cacheOf(cache) })

const imagePart = (b: ImageBlock): ContentPart[] => {
  const s = b.source
  const url = s.type === 'base64' ? `data:${s.media_type};base64,${s.data}` : s.type === 'url' ? s.url : null
  return url ? [{ type: 'image_url', image_url: { url }, ...cacheOf(b.cache_control) }] : []
}

/** The last part of a list carries the block's breakpoint. */
const cacheLast = (parts: ContentPart[], cache: Cache): ContentPart[] => {
  const last = parts[parts.length - 1]
  return cache && last ? [...parts.slice(0, -1), { ...last, cache_control: cache }] : parts
}

/**
 * PDFs (base64 or url) become `file` parts, which the anthropic adapter turns back into
 * document blocks; a plain-text or content document is its text (and images).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 */
const documentParts = (b: DocumentBlock): ContentPart[] => {
  const s = b.source
  const filename = b.title ? { filename: b.title } : {}
  switch (s.type) {
    case 'base64':
      return [{ type: 'file', file: { ...filename, file_data: `data:${s.media_type};base64,${s.data}` }, ...cacheOf(b.cache_control) }]
    case 'url':
      return [{ type: 'file', file: { ...filename, file_data: s.url }, ...cacheOf(b.cache_control) }]
    case 'text':
      return [textPart(s.data, b.cache_control)]
    case 'content':
      return cacheLast(s.content.flatMap((c) => (c.type === 'text' ? [textPart(c.text, c.cache_control)] : imagePart(c))), b.cache_control)
    default:
      return [] // file sources are refused when the request is read
  }
}

/** Client-supplied retrieval results: the model reads them as text, titled with their source. */
const searchResultParts = (b: SearchResultBlock): ContentPart[] =>
  [textPart(`${b.title} (${b.source})\n\n${b.content.map((c) => c.text).join('\n\n')}`, b.cache_control)]

/** What a user turn's (or a tool result's) block is as content parts; tool and thinking blocks are handled by their turn. */
const partsOf = (b: ContentBlock | ToolResultPart): ContentPart[] => {
  switch (b.type) {
    case 'text':
      return [textPart(b.text, b.cache_control)]
    case 'image':
      return imagePart(b)
    case 'document':
      return documentParts(b)
    case 'search_result':
      return searchResultParts(b)
    default:
      return []
  }
}

/** One plain text part is sent as a string, which every host takes; anything richer as parts. */
const contentOf = (parts: ContentPart[]): string | ContentPart[] => {
  const only = parts[0]
  return parts.length === 1 && only?.type === 'text' && !only.cache_control ? only.text : parts
}

const toolMessage = (b: ToolResultBlock): Message => ({
  role: 'tool',
  tool_call_id: b.tool_use_id,
  content: contentOf((b.content ?? []).flatMap(partsOf)),
  ...(b.is_error ? { is_error: true } : {}),
  ...cacheOf(b.cache_control),
})

/**
 * A user turn: its tool results first, as tool messages (OpenAI needs them right after
 * the assistant's calls, and Anthropic puts them first in the turn), then the rest as
 * one user message.
 */
const userMessages = (blocks: ContentBlock[]): Message[] => {
  const results = blocks.flatMap((b) => (b.type === 'tool_result' ? [toolMessage(b)] : []))
  const parts = blocks.flatMap(partsOf)
  return parts.length ? [...results, { role: 'user', content: contentOf(parts) }] : results
}

/**
 * An assistant turn. Thinking blocks are reasoning details in Anthropic's format, one
 * per block (its own index), so the adapter rebuilds each block with its signature;
 * a breakpoint on a tool_use block becomes the message's, which marks its last block.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
const assistantMessage = (blocks: ContentBlock[]): Message[] => {
  const text: ContentPart[] = []
  const calls: ToolCall[] = []
  const details: ReasoningDetail[] = []
  const thinking: string[] = []
  let cache: Cache
  for (const b of blocks) {
    if (b.type === 'text') text.push(textPart(b.text, b.cache_control))
    else if (b.type === 'thinking') {
      thinking.push(b.thinking)
      details.push(thinkingDetail(b, details.length))
    } else if (b.type === 'redacted_thinking') details.push(redactedDetail(b.data, details.length))
    else if (b.type === 'tool_use') {
      calls.push(toolCallOf(b))
      cache = b.cache_control ?? cache
    }
  }
  if (!text.length && !calls.length && !details.length) return []
  return [{
    role: 'assistant',
    content: text.length ? contentOf(text) : null,
    ...(calls.length ? { tool_calls: calls } : {}),
    ...(thinking.length ? { reasoning: thinking.join('') } : {}),
    ...(details.length ? { reasoning_details: details } : {}),
    ...cacheOf(cache),
  }]
}

const systemMessage = (blocks: TextBlock[]): Message[] => {
  const parts = blocks.map((b) => textPart(b.text, b.cache_control))
  return parts.length ? [{ role: 'system', content: contentOf(parts) }] : []
}

const messagesOf = (m: MessageParam): Message[] => {
  switch (m.role) {
    case 'user':
      return userMessages(m.content)
    case 'assistant':
      return assistantMessage(m.content)
    case 'system':
      return systemMessage(m.content.flatMap((b) => (b.type === 'text' ? [b] : [])))
  }
}

/**
 * `system` and every turn, in order. A top-level `cache_control` (automatic caching)
 * marks the last message, which puts the breakpoint on its last block.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
export const canonicalMessages = (req: Pick<MessagesRequest, 'system' | 'messages' | 'cache_control'>): Message[] => {
  const out = [...systemMessage(req.system ?? []), ...req.messages.flatMap(messagesOf)]
  const last = out[out.length - 1]
  if (req.cache_control && last) out[out.length - 1] = { ...last, cache_control: req.cache_control }
  return out
}
