// Anthropic endpoints get the Messages request as the client sent it, not the canonical
// translation: thinking signatures, cache_control, citations, server tools, block types
// this gateway does not know and Anthropic fields added later all reach Anthropic. Only
// the model (the endpoint's upstream id), max_tokens (within the endpoint's and the
// request's max_cost cap), `stream` and Switchboard's own routing fields change. The
// client's `anthropic-beta` goes along (Claude Code's context_management, deferred tools
// and thinking display need theirs); no other client header does. A beta cannot lift the
// prompt past the catalog's context length, which planning checks, so long-context
// betas do not reach prices the catalog does not know.
// The answer comes back canonical through the anthropic adapter, like every endpoint's.
import { messagesRequest } from '../../providers/anthropic.ts'
import { ROUTING_FIELDS } from '../../providers/types.ts'
import type { NativeOperation } from '../skin.ts'
import type { ContentBlock, MessagesRequest, Unknown } from './request.ts'

/** Switchboard's routing fields (OpenRouter's), which Anthropic would refuse. */
const ROUTING: ReadonlySet<string> = new Set<string>(ROUTING_FIELDS)

const MIN_BUDGET = 1024

const isUnknown = (b: object): b is Unknown => 'raw' in b && (b as { type?: unknown }).type === 'unknown'
const unwrap = (b: object): unknown => (isUnknown(b) ? b.raw : b)

/** A block as sent: unknown types whole, a tool_result's unknown parts too. */
const wireBlock = (b: ContentBlock): unknown => {
  if (b.type === 'unknown') return b.raw
  if (b.type === 'tool_result' && b.content) return { ...b, content: b.content.map(unwrap) }
  return b
}

/**
 * The body an Anthropic endpoint gets. A thinking budget must stay below max_tokens:
 * when the cap lowers max_tokens under it, the budget shrinks (or, under Anthropic's
 * 1,024 minimum, thinking is left off).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size
 */
export const nativeBody = (req: MessagesRequest, upstreamId: string, maxTokens: number, stream: boolean): Record<string, unknown> => {
  const body: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(req)) if (!ROUTING.has(field) && field !== 'betas' && value !== undefined) body[field] = value
  body.model = upstreamId
  body.max_tokens = maxTokens
  body.messages = req.messages.map((m) => ({ ...m, content: m.content.map(wireBlock) }))
  if (req.tools) body.tools = req.tools.map(unwrap)
  if (stream) body.stream = true
  else delete body.stream
  if (req.thinking?.type === 'enabled' && req.thinking.budget_tokens >= maxTokens) {
    if (maxTokens - 1 >= MIN_BUDGET) body.thinking = { ...req.thinking, budget_tokens: maxTokens - 1 }
    else delete body.thinking
  }
  return body
}

export const nativeMessages: NativeOperation<MessagesRequest> = {
  serves: (_adapter, target) => target.provider.protocol === 'anthropic',
  build: (_adapter, target, req, o) => {
    const maxTokens = Math.min(req.max_tokens, o.maxTokens ?? req.max_tokens, target.endpoint.max_output)
    return messagesRequest(target, nativeBody(req, target.endpoint.upstream_id, maxTokens, o.stream), req.betas)
  },
  parse: (adapter, json) => adapter.fromUpstream(json),
  decoder: (adapter) => adapter,
}
