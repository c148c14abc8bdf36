// A Responses request → the canonical (chat) request that is planned and sent on every
// wire. Only fields chat knows are set: anything else in the body would be forwarded to
// OpenAI-wire hosts, which reject fields they do not know.
import type { CanonicalRequest } from '../../providers/types.ts'
import { toMessages } from './input.ts'
import type { ResponsesRequest } from './request.ts'
import { toolChoiceOf, toolTable } from './tools.ts'

type ResponseFormat = NonNullable<CanonicalRequest['response_format']>

const responseFormat = (format: NonNullable<NonNullable<ResponsesRequest['text']>['format']>): ResponseFormat | undefined => {
  switch (format.type) {
    case 'text':
      return undefined
    case 'json_object':
      return { type: 'json_object' }
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: {
          name: format.name,
          schema: format.schema,
          ...(format.description != null ? { description: format.description } : {}),
          ...(format.strict != null ? { strict: format.strict } : {}),
        },
      }
  }
}

const reasoningOf = (r: ResponsesRequest['reasoning']): CanonicalRequest['reasoning'] => {
  if (!r) return undefined
  const out = {
    ...(r.effort != null ? { effort: r.effort } : {}),
    ...(r.max_tokens != null ? { max_tokens: r.max_tokens } : {}),
    ...(r.exclude != null ? { exclude: r.exclude } : {}),
    ...(r.enabled != null ? { enabled: r.enabled } : {}),
  }
  return Object.keys(out).length ? out : undefined
}

/** Copies the fields that mean the same in both APIs, when set. */
const SHARED = [
  'model', 'models', 'stream', 'temperature', 'top_p', 'user', 'provider', 'route', 'transforms', 'plugins', 'debug', 'max_cost',
] as const satisfies readonly (keyof ResponsesRequest & keyof CanonicalRequest)[]

export const toCanonical = (req: ResponsesRequest): CanonicalRequest => {
  const table = toolTable(req)
  const canonical: CanonicalRequest = { messages: toMessages(req, table) }
  for (const field of SHARED) if (req[field] != null) Object.assign(canonical, { [field]: req[field] })
  if (req.max_output_tokens != null) canonical.max_tokens = req.max_output_tokens
  // Hosted tools are not offered, so a request may end up with none: then there is nothing to choose.
  const { tool_choice, tools } = toolChoiceOf(req.tool_choice, table)
  if (tools.length) {
    canonical.tools = tools
    if (tool_choice) canonical.tool_choice = tool_choice
    if (req.parallel_tool_calls != null) canonical.parallel_tool_calls = req.parallel_tool_calls
  }
  const format = req.text?.format ? responseFormat(req.text.format) : undefined
  if (format) canonical.response_format = format
  if (req.text?.verbosity) canonical.verbosity = req.text.verbosity
  const reasoning = reasoningOf(req.reasoning)
  if (reasoning) canonical.reasoning = reasoning
  return canonical
}
