// The `response` object (JSON answers and every lifecycle event of a stream): output items
// from the canonical answer, usage with cost, and the request's settings echoed back as
// the `openai` SDK's Response type has them.
// @see https://platform.openai.com/docs/api-reference/responses/object
import type { Cost } from '../../billing/pricing.ts'
import { toDollars } from '../../lib/money.ts'
import type { CanonicalResponse, FinishReason, Usage } from '../../providers/types.ts'
import type { SkinMeta } from '../skin.ts'
import { sealDetails, type Detail } from './reasoning.ts'
import type { ResponsesRequest } from './request.ts'
import { callPrefix, customInput, toolTable, type ToolTable } from './tools.ts'

/** `resp_…` from the generation id (`gen-…`), and back: a response's record is /generation of its `gen-` form. */
export const responseId = (generationId: string): string => `resp_${generationId.replace(/^gen-/, '')}`
export const generationIdOf = (id: string): string | null => (id.startsWith('resp_') ? `gen-${id.slice('resp_'.length)}` : null)

/** Output item ids: unique within a response (the output index), tied to its generation. */
export const itemId = (prefix: 'rs' | 'msg' | 'fc' | 'ctc', meta: SkinMeta, outputIndex: number): string =>
  `${prefix}_${meta.id.replace(/^gen-/, '')}_${outputIndex}`

/** A call id for a tool call its host gave none (clients pair outputs with calls by it). */
export const callIdOf = (id: string | undefined, meta: SkinMeta, n: number): string => id || `call_${meta.id.replace(/^gen-/, '')}_${n}`

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete'
export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed'

export type ContentPart = { type: 'output_text'; text: string; annotations: never[]; logprobs: never[] } | { type: 'refusal'; refusal: string }

export const textPart = (text: string): ContentPart => ({ type: 'output_text', text, annotations: [], logprobs: [] })
export const refusalPart = (refusal: string): ContentPart => ({ type: 'refusal', refusal })

export const messageItem = (id: string, status: ItemStatus, content: ContentPart[]) =>
  ({ type: 'message' as const, id, status, role: 'assistant' as const, content })

/** Reasoning text is shown as one summary part: what Responses clients display and send back. */
export const reasoningItem = (id: string, text: string, details: readonly Detail[]) => ({
  type: 'reasoning' as const,
  id,
  summary: text ? [{ type: 'summary_text' as const, text }] : [],
  encrypted_content: sealDetails(details),
})

/** A canonical tool call as the kind of tool the client declared (function or custom, with its namespace). */
export const callItem = (id: string, callId: string, canonicalName: string, args: string, status: ItemStatus, tools: ToolTable) => {
  const origin = tools.origins.get(canonicalName)
  const name = origin?.name ?? canonicalName
  const namespace = origin?.namespace ? { namespace: origin.namespace } : {}
  return origin?.custom
    ? { type: 'custom_tool_call' as const, id, call_id: callId, name, ...namespace, input: customInput(args) }
    : { type: 'function_call' as const, id, call_id: callId, name, ...namespace, arguments: args, status }
}

export type OutputItem = ReturnType<typeof messageItem> | ReturnType<typeof reasoningItem> | ReturnType<typeof callItem>

export const responseUsage = (u: Usage, cost: Cost) => ({
  input_tokens: u.prompt_tokens,
  input_tokens_details: { cached_tokens: u.cached_tokens, cache_write_tokens: u.cache_write_tokens },
  output_tokens: u.completion_tokens,
  output_tokens_details: { reasoning_tokens: u.reasoning_tokens },
  total_tokens: u.prompt_tokens + u.completion_tokens,
  // OpenRouter's additions, as in chat's usage.
  cost: toDollars(cost.total),
  is_byok: false,
  cost_details: {
    upstream_inference_cost: null,
    upstream_inference_prompt_cost: toDollars(cost.prompt),
    upstream_inference_completions_cost: toDollars(cost.completion),
  },
})

/** How a finish reason ends a response. */
export const outcomeOf = (finish: FinishReason | null) => {
  switch (finish) {
    case 'length':
      return { status: 'incomplete' as const, incomplete_details: { reason: 'max_output_tokens' as const }, error: null }
    case 'content_filter':
      return { status: 'incomplete' as const, incomplete_details: { reason: 'content_filter' as const }, error: null }
    case 'error':
      return { status: 'failed' as const, incomplete_details: null, error: { code: 'server_error', message: 'The generation ended in an error' } }
    default:
      return { status: 'completed' as const, incomplete_details: null, error: null }
  }
}

export const itemStatusOf = (status: ResponseStatus): ItemStatus => (status === 'completed' ? 'completed' : 'incomplete')

/** Hosted tools were wrapped when decoded (request.ts); they are echoed as sent. */
const echoTools = (req: ResponsesRequest) => (req.tools ?? []).map((t) => (t.type === 'hosted' ? t.tool : t))

/** The request's settings, as the Response type echoes them. Nothing is stored, so `store` is false. */
const settings = (req: ResponsesRequest) => ({
  instructions: req.instructions ?? null,
  metadata: req.metadata ?? null,
  tools: echoTools(req),
  tool_choice: req.tool_choice ?? 'auto',
  temperature: req.temperature ?? null,
  top_p: req.top_p ?? null,
  max_output_tokens: req.max_output_tokens ?? null,
  parallel_tool_calls: req.parallel_tool_calls ?? true,
  previous_response_id: null,
  reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
  text: { format: req.text?.format ?? { type: 'text' }, ...(req.text?.verbosity ? { verbosity: req.text.verbosity } : {}) },
  store: false,
  background: false,
  truncation: 'disabled' as const,
  ...(req.user ? { user: req.user } : {}),
})

export interface ResponseState {
  status: ResponseStatus
  output: OutputItem[]
  usage: ReturnType<typeof responseUsage> | null
  error: { code: string; message: string } | null
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null
}

/** `output_text`: every output_text part of every message, joined (the SDK's convenience field). */
const outputText = (output: OutputItem[]): string =>
  output.flatMap((item) => (item.type === 'message' ? item.content.flatMap((p) => (p.type === 'output_text' ? [p.text] : [])) : [])).join('')

export const responseBody = (meta: SkinMeta, req: ResponsesRequest, state: ResponseState) => ({
  id: responseId(meta.id),
  object: 'response' as const,
  created_at: meta.created,
  status: state.status,
  error: state.error,
  incomplete_details: state.incomplete_details,
  model: meta.model,
  provider: meta.provider,
  output: state.output,
  output_text: outputText(state.output),
  usage: state.usage,
  ...settings(req),
})

/**
 * The JSON answer: a reasoning item (when the model reasoned), the message (when it said
 * something, or called nothing), then its calls.
 */
export const encodeResponse = (meta: SkinMeta, res: CanonicalResponse, usage: Usage, cost: Cost, req: ResponsesRequest) => {
  const choice = res.choices[0]
  const message = choice?.message
  const outcome = outcomeOf(choice?.finish_reason ?? null)
  const status = itemStatusOf(outcome.status)
  const tools = toolTable(req)
  const output: OutputItem[] = []
  const details = message?.reasoning_details ?? []
  if (message?.reasoning || details.length) output.push(reasoningItem(itemId('rs', meta, output.length), message?.reasoning ?? '', details))
  const calls = message?.tool_calls ?? []
  const content: ContentPart[] = [
    ...(message?.content ? [textPart(message.content)] : []),
    ...(message?.refusal ? [refusalPart(message.refusal)] : []),
  ]
  if (content.length || !calls.length) output.push(messageItem(itemId('msg', meta, output.length), status, content.length ? content : [textPart('')]))
  for (const [k, call] of calls.entries()) {
    const at = output.length
    output.push(callItem(itemId(callPrefix(tools, call.function.name), meta, at), callIdOf(call.id, meta, k), call.function.name, call.function.arguments, status, tools))
  }
  return responseBody(meta, req, { ...outcome, output, usage: responseUsage(usage, cost) })
}
