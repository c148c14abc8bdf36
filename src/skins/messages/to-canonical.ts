// A Messages request → the canonical (OpenAI chat) request every adapter translates.
// Only canonical fields are set: OpenAI-wire adapters forward unknown top-level fields,
// so Anthropic-only ones (thinking, metadata, system) never travel as they are.
import { GatewayError } from '../../errors.ts'
import type { CanonicalRequest } from '../../providers/types.ts'
import { catalogModelId } from './model-ids.ts'
import type { CustomTool, MessagesRequest, Thinking, ToolChoice } from './request.ts'
import { canonicalMessages } from './to-messages.ts'

type Tool = NonNullable<CanonicalRequest['tools']>[number]

/** input_schema is the function's parameters; a breakpoint on a tool stays on it (the anthropic adapter reads it there). */
const toolOf = (t: CustomTool): Tool => ({
  type: 'function',
  function: {
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    parameters: t.input_schema,
    ...(t.strict != null ? { strict: t.strict } : {}),
  },
  ...(t.cache_control ? { cache_control: t.cache_control } : {}),
})

/** auto → auto, any → required, tool → that function, none → none; disable_parallel_tool_use → parallel_tool_calls false. */
const toolChoiceOf = (choice: ToolChoice): Pick<CanonicalRequest, 'tool_choice' | 'parallel_tool_calls'> => {
  const serial = 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true ? { parallel_tool_calls: false } : {}
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...serial }
    case 'any':
      return { tool_choice: 'required', ...serial }
    case 'tool':
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...serial }
    case 'none':
      return { tool_choice: 'none' }
  }
}

type Effort = NonNullable<NonNullable<MessagesRequest['output_config']>['effort']>

/**
 * `thinking` (and `output_config.effort`) → canonical `reasoning`: a budget is
 * `max_tokens`, adaptive thinking is reasoning on at the model's (or the asked) effort,
 * disabled is reasoning off. No `thinking` asks for nothing, as on Anthropic.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
 */
const reasoningOf = (thinking: Thinking | null | undefined, effort: Effort | null | undefined): CanonicalRequest['reasoning'] => {
  const withEffort = effort ? { effort } : {}
  switch (thinking?.type) {
    case 'enabled':
      return { max_tokens: thinking.budget_tokens, ...withEffort }
    case 'adaptive':
    case 'between_tools':
      return { enabled: true, ...withEffort }
    case 'disabled':
      return { enabled: false }
    default:
      return effort ? { effort } : undefined
  }
}

export const toCanonical = (req: MessagesRequest): CanonicalRequest => {
  const messages = canonicalMessages(req)
  if (messages.length === 0) throw new GatewayError('invalid_request', 'Invalid request: messages: no content that can be sent to a model')
  const out: CanonicalRequest = { model: catalogModelId(req.model), messages, max_tokens: req.max_tokens }
  if (req.models?.length) out.models = req.models.map(catalogModelId)
  if (req.stream) out.stream = true
  if (req.stop_sequences?.length) out.stop = req.stop_sequences
  if (req.temperature != null) out.temperature = req.temperature
  if (req.top_p != null) out.top_p = req.top_p
  if (req.top_k != null) out.top_k = req.top_k
  if (req.metadata?.user_id) out.user = req.metadata.user_id
  // Anthropic's own tool types (web search, bash…) run on Anthropic's side or need its trained schemas: only custom tools translate.
  const tools = (req.tools ?? []).flatMap((t) => (t.type === 'unknown' ? [] : [toolOf(t)]))
  if (tools.length) {
    out.tools = tools
    if (req.tool_choice) Object.assign(out, toolChoiceOf(req.tool_choice))
  }
  const reasoning = reasoningOf(req.thinking, req.output_config?.effort)
  if (reasoning) out.reasoning = reasoning
  const format = req.output_config?.format
  if (format) out.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } }
  if (req.provider) out.provider = req.provider
  if (req.route) out.route = req.route
  if (req.max_cost != null) out.max_cost = req.max_cost
  return out
}
