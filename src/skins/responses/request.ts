// The public OpenAI Responses request (POST /api/v1/responses), stateless as OpenRouter's:
// the whole conversation comes in `input` every time. Objects are loose: fields this
// endpoint does not use (include, prompt_cache_key, client_metadata, truncation…) are
// tolerated and ignored. OpenRouter's routing fields are read as in chat.
// @see https://platform.openai.com/docs/api-reference/responses/create
import { z } from 'zod'
import { GatewayError } from '../../errors.ts'
import { ChatRequest } from '../../schemas/chat-request.ts'
import { invalidParam } from './errors.ts'
import { isRecord } from '../../lib/json.ts'

const Chat = ChatRequest.shape

const ToolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a-z, A-Z, 0-9, _ and - only, at most 64 characters')

const InputText = z.looseObject({ type: z.literal('input_text'), text: z.string() })
const InputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
})
const InputFile = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.string().nullish(),
  file_url: z.string().nullish(),
  file_id: z.string().nullish(),
  filename: z.string().nullish(),
})
/** Assistant turns sent back as history carry what the model said. */
const OutputText = z.looseObject({ type: z.literal('output_text'), text: z.string() })
const Refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() })
export const InputPart = z.discriminatedUnion('type', [InputText, InputImage, InputFile, OutputText, Refusal])
export type InputPart = z.infer<typeof InputPart>

const Message = z.looseObject({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(InputPart)]),
})
const ToolOutput = z.union([z.string(), z.array(z.discriminatedUnion('type', [InputText, InputImage, InputFile]))])
const FunctionCall = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  arguments: z.string(),
})
const FunctionCallOutput = z.looseObject({ type: z.literal('function_call_output'), call_id: z.string().min(1), output: ToolOutput })
const CustomToolCall = z.looseObject({
  type: z.literal('custom_tool_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  input: z.string(),
})
const CustomToolCallOutput = z.looseObject({ type: z.literal('custom_tool_call_output'), call_id: z.string().min(1), output: ToolOutput })
const Reasoning = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(z.looseObject({ text: z.string() })).nullish(),
  content: z.array(z.looseObject({ text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
})

/** A message item may leave out `type` (the SDK's EasyInputMessage); it is filled in so one discriminated union names the field. */
const withMessageType = (v: unknown): unknown => (isRecord(v) && !('type' in v) && 'role' in v ? { ...v, type: 'message' } : v)

export const InputItem = z.preprocess(
  withMessageType,
  z.discriminatedUnion('type', [Message, FunctionCall, FunctionCallOutput, CustomToolCall, CustomToolCallOutput, Reasoning], {
    error: 'unsupported input item type: this endpoint is stateless and takes message, function_call, function_call_output, custom_tool_call, custom_tool_call_output and reasoning items',
  }),
)
export type InputItem = z.infer<typeof InputItem>

const FunctionTool = z.looseObject({
  type: z.literal('function'),
  name: ToolName,
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
})
/** Free-form input (Codex's apply_patch), optionally constrained by a grammar the model is shown. */
const CustomTool = z.looseObject({
  type: z.literal('custom'),
  name: ToolName,
  description: z.string().nullish(),
  format: z.looseObject({ type: z.string(), syntax: z.string().nullish(), definition: z.string().nullish() }).nullish(),
})
const NamespaceTool = z.looseObject({
  type: z.literal('namespace'),
  name: ToolName,
  description: z.string().nullish(),
  tools: z.array(z.discriminatedUnion('type', [FunctionTool, CustomTool])),
})
/**
 * Hosted tools (web_search, file_search, mcp…) run on OpenAI's servers. Codex CLI sends
 * web_search by default, so they are accepted and not offered to the model; each is
 * wrapped as `{type:'hosted', tool}` so one discriminated union still names a bad field.
 */
const HostedTool = z.object({ type: z.literal('hosted'), tool: z.looseObject({ type: z.string() }) })
const OWN_TOOLS = new Set(['function', 'custom', 'namespace'])
const wrapHosted = (v: unknown): unknown =>
  isRecord(v) && typeof v.type === 'string' && !OWN_TOOLS.has(v.type) ? { type: 'hosted', tool: v } : v
export const Tool = z.preprocess(wrapHosted, z.discriminatedUnion('type', [FunctionTool, CustomTool, NamespaceTool, HostedTool]))
export type Tool = z.infer<typeof Tool>
export type FunctionTool = z.infer<typeof FunctionTool>
export type CustomTool = z.infer<typeof CustomTool>

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.enum(['function', 'custom']), name: z.string().min(1), namespace: z.string().nullish() }),
  z.looseObject({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().nullish() })),
  }),
])
export type ToolChoice = z.infer<typeof ToolChoice>

const TextFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
])

export const ResponsesRequest = z.looseObject({
  model: Chat.model,
  models: Chat.models,
  input: z.union([z.string(), z.array(InputItem).min(1)]),
  instructions: z.string().nullish(),
  stream: z.boolean().nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  temperature: Chat.temperature,
  top_p: Chat.top_p,
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: TextFormat.nullish(), verbosity: z.enum(['low', 'medium', 'high']).nullish() }).nullish(),
  reasoning: z
    .looseObject({
      effort: z.enum(['max', 'xhigh', 'high', 'medium', 'low', 'minimal', 'none']).nullish(),
      summary: z.string().nullish(),
      // OpenRouter's extensions, as in chat.
      max_tokens: z.number().int().min(0).nullish(),
      exclude: z.boolean().nullish(),
      enabled: z.boolean().nullish(),
    })
    .nullish(),
  /** Accepted either way; nothing is ever stored (the endpoint is stateless), and responses say `store: false`. */
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: Chat.user,
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  background: z.boolean().nullish(),
  // OpenRouter's routing fields.
  provider: Chat.provider,
  route: Chat.route,
  transforms: Chat.transforms,
  plugins: Chat.plugins,
  debug: Chat.debug,
  max_cost: Chat.max_cost,
})
export type ResponsesRequest = z.infer<typeof ResponsesRequest>

const STATELESS = 'this endpoint is stateless and stores nothing: send the whole conversation in `input` every time'

/** Features that need stored responses are refused by name rather than silently ignored. */
const refuseState = (req: ResponsesRequest): void => {
  const refuse = (param: string, what: string) => invalidParam(param, `${what} is not supported; ${STATELESS}`)
  if (req.previous_response_id != null) refuse('previous_response_id', 'previous_response_id')
  if (req.conversation != null) refuse('conversation', 'conversation')
  if (req.background) refuse('background', 'background mode')
}

type Issue = z.core.$ZodIssue

/**
 * A union that fails reports only "Invalid input" at its own path (e.g. `input`, a string
 * or a list); the option that got furthest says what is wrong and where, so its issue is used.
 */
const deepest = (issue: Issue): Issue => {
  if (issue.code !== 'invalid_union') return issue
  let best: Issue | undefined
  for (const option of issue.errors) {
    for (const inner of option.map(deepest)) if (!best || inner.path.length > best.path.length) best = inner
  }
  return best && best.path.length > 0 ? { ...best, path: [...issue.path, ...best.path] } : issue
}

/** Parse and validate the wire body; every bad input is a 400 naming its field, as chat's are. */
export const decodeResponses = (raw: string): ResponsesRequest => {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw new GatewayError('invalid_request', 'Invalid JSON in request body')
  }
  const parsed = ResponsesRequest.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map(deepest).map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }))
    throw new GatewayError('invalid_request', `Invalid request: ${issues[0]?.path}: ${issues[0]?.message}`, { metadata: { issues } })
  }
  refuseState(parsed.data)
  return parsed.data
}
