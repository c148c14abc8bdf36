// The Anthropic Messages request as clients send it (Claude Code, the Anthropic SDKs,
// the Agent SDKs). Objects are loose: unknown fields are tolerated. A content block or
// tool of a known type is checked against its shape, so a bad one is a 400 naming the
// field; a block type this gateway does not know (server tool results, later additions)
// is accepted and left out of the translation rather than failing an agent's whole turn.
// @see https://docs.anthropic.com/en/api/messages
import { z } from 'zod'
import { parseBody } from '../../api/request.ts'
import { CacheControl } from '../../providers/wire/anthropic.ts'
import { MAX_USD, ProviderPreferences } from '../../schemas/chat-request.ts'

const cached = { cache_control: CacheControl.nullish() }

/** A block or tool of a type outside the table: never translated, kept whole for Anthropic endpoints (native.ts). */
export interface Unknown {
  type: 'unknown'
  original_type: string
  raw: Record<string, unknown>
}

/**
 * Dispatch on `type`: a known type is validated by its schema (its issues keep their
 * paths), any other becomes `Unknown`. A discriminated union cannot have this fallback
 * without swallowing a known block's errors.
 */
const byType = <T extends Record<string, z.ZodType>>(known: T, missing?: keyof T & string) =>
  z.looseObject({ type: missing ? z.string().optional() : z.string() }).transform((value, ctx): z.output<T[keyof T]> | Unknown => {
    const type = value.type ?? missing ?? ''
    const schema = Object.hasOwn(known, type) ? known[type] : undefined
    if (!schema) return { type: 'unknown', original_type: type, raw: value }
    const parsed = schema.safeParse(value)
    if (parsed.success) return parsed.data as z.output<T[keyof T]>
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: issue.input })
    return z.NEVER
  })

/** `content` as a string or as blocks; a string is one text block, as Anthropic reads it. */
const blocksOrString = <S extends z.ZodType>(block: S) =>
  z.preprocess((v) => (typeof v === 'string' ? [{ type: 'text', text: v }] : v), z.array(block))

// --- sources and blocks ------------------------------------------------------

const Base64Source = z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) })
const UrlSource = z.looseObject({ type: z.literal('url'), url: z.string().min(1) })
/** Files API ids name files stored at Anthropic; the gateway has no such store to read them from. */
const FileSource = z.looseObject({ type: z.literal('file') }).refine(() => false, {
  message: 'file sources (file_id) are not supported: send the file as base64 or url',
})
const TextSource = z.looseObject({ type: z.literal('text'), data: z.string(), media_type: z.string().optional() })

export const TextBlock = z.looseObject({ type: z.literal('text'), text: z.string(), ...cached })
export type TextBlock = z.infer<typeof TextBlock>

export const ImageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [Base64Source, UrlSource, FileSource]),
  ...cached,
})
export type ImageBlock = z.infer<typeof ImageBlock>

const ContentSource = z.looseObject({ type: z.literal('content'), content: blocksOrString(z.discriminatedUnion('type', [TextBlock, ImageBlock])) })

export const DocumentBlock = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [Base64Source, UrlSource, FileSource, TextSource, ContentSource]),
  title: z.string().nullish(),
  context: z.string().nullish(),
  ...cached,
})
export type DocumentBlock = z.infer<typeof DocumentBlock>

/** Retrieval results the client supplies (search_result blocks): translated as text. */
export const SearchResultBlock = z.looseObject({
  type: z.literal('search_result'),
  source: z.string(),
  title: z.string(),
  content: z.array(TextBlock),
  ...cached,
})
export type SearchResultBlock = z.infer<typeof SearchResultBlock>

export const ToolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown(), ...cached })

const ToolResultPart = byType({ text: TextBlock, image: ImageBlock, document: DocumentBlock, search_result: SearchResultBlock })
export type ToolResultPart = z.infer<typeof ToolResultPart>

export const ToolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: blocksOrString(ToolResultPart).optional(),
  is_error: z.boolean().nullish(),
  ...cached,
})
export type ToolResultBlock = z.infer<typeof ToolResultBlock>

/** Signed by Anthropic; a thinking block another model produced comes back with an empty signature. */
export const ThinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() })
export const RedactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() })

export const ContentBlock = byType({
  text: TextBlock,
  image: ImageBlock,
  document: DocumentBlock,
  search_result: SearchResultBlock,
  tool_use: ToolUseBlock,
  tool_result: ToolResultBlock,
  thinking: ThinkingBlock,
  redacted_thinking: RedactedThinkingBlock,
})
export type ContentBlock = z.infer<typeof ContentBlock>

export const MessageParam = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: blocksOrString(ContentBlock),
})
export type MessageParam = z.infer<typeof MessageParam>

// --- tools -------------------------------------------------------------------

/** Anthropic's rule for custom tool names. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/

export const CustomTool = z.looseObject({
  type: z.literal('custom').optional(),
  name: z.string().regex(TOOL_NAME, 'a-z, A-Z, 0-9, _ and - only, at most 128 characters'),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().nullish(),
  ...cached,
})
export type CustomTool = z.infer<typeof CustomTool>

/** Custom tools (no `type`, or `custom`); Anthropic's own tool types (web_search_…, bash_…) are kept as `Unknown`. */
export const ToolParam = byType({ custom: CustomTool }, 'custom')

export const ToolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal('none') }),
])
export type ToolChoice = z.infer<typeof ToolChoice>

export const Thinking = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }),
  z.looseObject({ type: z.literal('disabled') }),
  z.looseObject({ type: z.literal('adaptive') }),
  z.looseObject({ type: z.literal('between_tools') }),
])
export type Thinking = z.infer<typeof Thinking>

const OutputConfig = z.looseObject({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullish(),
  format: z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).nullish(),
})

// --- the request -------------------------------------------------------------

/** What a request and a count_tokens request share. */
const shape = {
  model: z.string().min(1),
  messages: z.array(MessageParam).min(1),
  system: blocksOrString(TextBlock).optional(),
  tools: z.array(ToolParam).nullish(),
  tool_choice: ToolChoice.nullish(),
  thinking: Thinking.nullish(),
  output_config: OutputConfig.nullish(),
  /** Automatic caching: one breakpoint at the last cacheable block. */
  ...cached,
}

export const MessagesBody = z.looseObject({
  ...shape,
  max_tokens: z.number().int().min(1),
  stream: z.boolean().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  // OpenRouter's routing extensions, as on chat.
  models: z.array(z.string().min(1)).max(10).nullish(),
  provider: ProviderPreferences.nullish(),
  route: z.enum(['fallback', 'sort']).nullish(),
  max_cost: z.number().positive().max(MAX_USD, `must be at most ${MAX_USD} USD`).nullish(),
})
/**
 * A Messages request: its body, and the betas its `anthropic-beta` header names (the
 * Anthropic SDKs send a request's betas there). Only Anthropic endpoints get them.
 */
export type MessagesRequest = z.infer<typeof MessagesBody> & { betas?: string[] }

/** POST /messages/count_tokens: the request without max_tokens and sampling. */
export const CountTokensRequest = z.looseObject(shape)
export type CountTokensRequest = z.infer<typeof CountTokensRequest>

/** A beta's name (`context-management-2025-06-27`); anything else in the header is dropped. */
const BETA = /^[a-z0-9][a-z0-9._-]{0,99}$/i

/** The betas of a comma-separated `anthropic-beta` header, each once, in order. */
export const betasOf = (header: string | undefined): string[] =>
  [...new Set((header ?? '').split(',').map((b) => b.trim()).filter((b) => BETA.test(b)))]

/** The body, with the betas of the `anthropic-beta` header (a body field of that name is not Anthropic's and is dropped). */
export const decodeMessages = (raw: string, header?: (name: string) => string | undefined): MessagesRequest => {
  const { betas: _notAField, ...body } = parseBody(raw, MessagesBody)
  const betas = betasOf(header?.('anthropic-beta'))
  return betas.length ? { ...body, betas } : body
}
export const decodeCountTokens = (raw: string): CountTokensRequest => parseBody(raw, CountTokensRequest)
