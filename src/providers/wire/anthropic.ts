// Anthropic Messages API wire bodies as zod schemas. Responses are loose: Anthropic
// adds block and event types over time, and unknown ones must not break a stream.
// @see https://docs.anthropic.com/en/api/messages
// @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
import { z } from 'zod'

// --- request (what toUpstream builds; strict, so tests catch any stray field) ---

export const CacheControl = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() })
export type CacheControl = z.infer<typeof CacheControl>
const cached = { cache_control: CacheControl.optional() }

export const TextBlockParam = z.strictObject({ type: z.literal('text'), text: z.string(), ...cached })
export const ImageBlockParam = z.strictObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.strictObject({ type: z.literal('url'), url: z.string() }),
  ]),
  ...cached,
})
export const DocumentBlockParam = z.strictObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.strictObject({ type: z.literal('url'), url: z.string() }),
  ]),
  title: z.string().optional(),
  ...cached,
})
export const ToolUseBlockParam = z.strictObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
  ...cached,
})
export const ToolResultBlockParam = z.strictObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.union([TextBlockParam, ImageBlockParam]))]),
  is_error: z.boolean().optional(),
  ...cached,
})
export const ThinkingBlockParam = z.strictObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() })
export const RedactedThinkingBlockParam = z.strictObject({ type: z.literal('redacted_thinking'), data: z.string() })

export const ContentBlockParam = z.discriminatedUnion('type', [
  TextBlockParam, ImageBlockParam, DocumentBlockParam, ToolUseBlockParam, ToolResultBlockParam,
  ThinkingBlockParam, RedactedThinkingBlockParam,
])
export type ContentBlockParam = z.infer<typeof ContentBlockParam>
export type TextBlockParam = z.infer<typeof TextBlockParam>
export type ImageBlockParam = z.infer<typeof ImageBlockParam>

export const MessageParam = z.strictObject({ role: z.enum(['user', 'assistant']), content: z.array(ContentBlockParam) })
export type MessageParam = z.infer<typeof MessageParam>

export const ToolParam = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  ...cached,
})
export type ToolParam = z.infer<typeof ToolParam>

export const ToolChoiceParam = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal('none') }),
])
export type ToolChoiceParam = z.infer<typeof ToolChoiceParam>

export const MessagesRequest = z.strictObject({
  model: z.string(),
  max_tokens: z.number().int().positive(),
  messages: z.array(MessageParam),
  system: z.union([z.string(), z.array(TextBlockParam)]).optional(),
  metadata: z.strictObject({ user_id: z.string() }).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.literal(true).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  tools: z.array(ToolParam).optional(),
  tool_choice: ToolChoiceParam.optional(),
  thinking: z.strictObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }).optional(),
})
export type MessagesRequest = z.infer<typeof MessagesRequest>

// --- response ---------------------------------------------------------------

export const AnthropicUsage = z.looseObject({
  input_tokens: z.number().int().nonnegative().nullish(),
  output_tokens: z.number().int().nonnegative().nullish(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
})
export type AnthropicUsage = z.infer<typeof AnthropicUsage>

const TextBlock = z.looseObject({ type: z.literal('text'), text: z.string() })
const ThinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() })
const RedactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() })
const ToolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() })

/** Anything else (server_tool_use, web_search_tool_result, later additions) is kept in place but not translated. */
const other = <T extends string>(kind: T) =>
  z.looseObject({ type: z.string() }).transform((b) => ({ type: kind, original_type: b.type }))

export const ContentBlock = z.union([
  z.discriminatedUnion('type', [TextBlock, ThinkingBlock, RedactedThinkingBlock, ToolUseBlock]),
  other('other'),
])
export type ContentBlock = z.infer<typeof ContentBlock>

export const MessagesResponse = z.looseObject({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string().nullish(),
  content: z.array(ContentBlock),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: AnthropicUsage.nullish(),
})
export type MessagesResponse = z.infer<typeof MessagesResponse>

// --- stream events ----------------------------------------------------------

export const ErrorObject = z.looseObject({ type: z.string(), message: z.string().nullish() })

const ContentBlockDelta = z.union([
  z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('text_delta'), text: z.string() }),
    z.looseObject({ type: z.literal('thinking_delta'), thinking: z.string() }),
    z.looseObject({ type: z.literal('signature_delta'), signature: z.string() }),
    z.looseObject({ type: z.literal('input_json_delta'), partial_json: z.string() }),
  ]),
  /** citations_delta and later additions. */
  other('other_delta'),
])

export const StreamEvent = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('message_start'),
    message: z.looseObject({ id: z.string(), model: z.string().nullish(), usage: AnthropicUsage.nullish() }),
  }),
  z.looseObject({ type: z.literal('content_block_start'), index: z.number().int(), content_block: ContentBlock }),
  z.looseObject({ type: z.literal('content_block_delta'), index: z.number().int(), delta: ContentBlockDelta }),
  z.looseObject({ type: z.literal('content_block_stop'), index: z.number().int() }),
  z.looseObject({
    type: z.literal('message_delta'),
    delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }),
    usage: AnthropicUsage.nullish(),
  }),
  z.looseObject({ type: z.literal('message_stop') }),
  z.looseObject({ type: z.literal('ping') }),
  z.looseObject({ type: z.literal('error'), error: ErrorObject }),
])
export type StreamEvent = z.infer<typeof StreamEvent>

/** Event types this adapter knows; others are skipped, as Anthropic asks clients to do. */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set(StreamEvent.options.map((o) => o.shape.type.value))

// --- errors -----------------------------------------------------------------

/** `{type: "error", error: {type, message}, request_id?}` — the body of every non-2xx answer. */
export const AnthropicErrorBody = z.looseObject({ type: z.literal('error'), error: ErrorObject })
export type AnthropicErrorBody = z.infer<typeof AnthropicErrorBody>
