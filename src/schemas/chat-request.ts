// The public chat request: OpenAI's body plus OpenRouter's extensions (docs/compatibility.md#chat-request).
// Objects are loose: unknown fields are tolerated and passed along.
import { z } from 'zod'
import { Plugins } from './plugins.ts'

/** The largest USD amount a request names (as key limits and credits): its microdollars stay safe integers. */
export const MAX_USD = 1_000_000_000

const CacheControl = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() })

const TextPart = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: CacheControl.optional() })
const ImagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.string().optional() }),
})
const OtherPart = z.looseObject({
  type: z.enum(['input_audio', 'file', 'video_url', 'input_video']),
})
export const ContentPart = z.discriminatedUnion('type', [TextPart, ImagePart, OtherPart])
export type ContentPart = z.infer<typeof ContentPart>

const Content = z.union([z.string(), z.array(ContentPart)])

export const ToolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
})

const SystemMessage = z.looseObject({
  role: z.enum(['system', 'developer']),
  content: Content,
  name: z.string().optional(),
})
const UserMessage = z.looseObject({ role: z.literal('user'), content: Content, name: z.string().optional() })
const AssistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: Content.nullish(),
  tool_calls: z.array(ToolCall).optional(),
  reasoning: z.string().nullish(),
  reasoning_details: z.array(z.looseObject({ type: z.string() })).optional(),
  name: z.string().optional(),
})
const ToolMessage = z.looseObject({
  role: z.literal('tool'),
  tool_call_id: z.string(),
  content: Content,
  name: z.string().optional(),
})
export const Message = z.discriminatedUnion('role', [SystemMessage, UserMessage, AssistantMessage, ToolMessage])
export type Message = z.infer<typeof Message>

export const Tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a-z, A-Z, 0-9, _ and - only, at most 64 characters'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
})

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
])

const ResponseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
  z.looseObject({ type: z.literal('grammar'), grammar: z.string() }),
  z.looseObject({ type: z.literal('python') }),
])

const Effort = z.enum(['max', 'xhigh', 'high', 'medium', 'low', 'minimal', 'none'])

/** USD per million tokens (max_price accepts numbers or strings). */
const Price = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]).transform(Number)
const Percentiles = z.union([
  z.number(),
  z.looseObject({ p50: z.number().optional(), p75: z.number().optional(), p90: z.number().optional(), p99: z.number().optional() }),
])

export const ProviderPreferences = z.looseObject({
  order: z.array(z.string()).nullish(),
  allow_fallbacks: z.boolean().nullish(),
  require_parameters: z.boolean().nullish(),
  data_collection: z.enum(['allow', 'deny']).nullish(),
  zdr: z.boolean().nullish(),
  only: z.array(z.string()).nullish(),
  ignore: z.array(z.string()).nullish(),
  quantizations: z.array(z.string()).nullish(),
  sort: z
    .union([
      z.enum(['price', 'throughput', 'latency', 'exacto']),
      z.looseObject({ by: z.enum(['price', 'throughput', 'latency', 'exacto']), partition: z.enum(['model', 'none']).nullish() }),
    ])
    .nullish(),
  max_price: z
    .looseObject({ prompt: Price.optional(), completion: Price.optional(), request: Price.optional(), image: Price.optional() })
    .nullish(),
  preferred_min_throughput: Percentiles.nullish(),
  preferred_max_latency: Percentiles.nullish(),
  /** Switchboard: soft region preference, in order (same as the X-Provider-Region header). */
  region: z.array(z.string()).nullish(),
  /** Switchboard: hard region requirement (same as X-Provider-Region-Only). */
  region_only: z.array(z.string()).nullish(),
})
export type ProviderPreferences = z.infer<typeof ProviderPreferences>

/** Switchboard: the most a request may cost, in USD. Caps the hold and the output length. */
export const MaxCost = z.number().positive().max(MAX_USD, `must be at most ${MAX_USD} USD`)

export const ChatRequest = z.looseObject({
  model: z.string().min(1).optional(),
  models: z.array(z.string().min(1)).max(10).optional(),
  messages: z.array(Message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  top_a: z.number().min(0).max(1).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  repetition_penalty: z.number().min(0).max(2).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  response_format: ResponseFormat.nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  user: z.string().nullish(),
  reasoning: z
    .looseObject({
      effort: Effort.nullish(),
      max_tokens: z.number().int().min(0).nullish(),
      exclude: z.boolean().nullish(),
      enabled: z.boolean().nullish(),
    })
    .nullish(),
  reasoning_effort: Effort.nullish(),
  include_reasoning: z.boolean().nullish(),
  provider: ProviderPreferences.nullish(),
  route: z.enum(['fallback', 'sort']).nullish(),
  usage: z.looseObject({ include: z.boolean().optional() }).nullish(),
  transforms: z.array(z.string()).nullish(),
  debug: z.looseObject({ echo_upstream_body: z.boolean().optional() }).nullish(),
  plugins: Plugins.nullish(),
  max_cost: MaxCost.nullish(),
})
export type ChatRequest = z.infer<typeof ChatRequest>
