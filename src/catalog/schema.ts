// The catalog's shape: providers, models and their endpoints, as reviewed data.
// Prices are integers in microdollars per million tokens (docs/invariants.md).
import { z } from 'zod'

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case slug')

/** Microdollars per million tokens (= picodollars per token): whole numbers only. */
export const MicroPerMillion = z.number().int().nonnegative()

/**
 * Lower-case Cloudflare continent codes (na, sa, eu, as, oc, af) or ISO 3166
 * alpha-2 country codes (us, de, jp). A country matches a request for its continent.
 */
export const RegionTag = z.string().regex(/^[a-z]{2}$/, 'two-letter continent or country code')

export const Protocol = z.enum(['openai', 'anthropic', 'gemini', 'azure', 'fake'])
export type Protocol = z.infer<typeof Protocol>

export const Quantization = z.enum([
  'int4', 'int8', 'fp4', 'mxfp4', 'nvfp4', 'fp6', 'fp8', 'mxfp8', 'fp16', 'bf16', 'fp32', 'unknown',
])

/** Host quirks of OpenAI-compatible upstreams, as data (no per-host code). */
export const ProviderQuirks = z.strictObject({
  /** Name of the output-length parameter the host expects. */
  max_tokens_param: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** The host honours `stream_options: {include_usage: true}`. */
  stream_usage: z.boolean().optional(),
  /** Request fields the host rejects, dropped before sending. */
  drop_params: z.array(z.string()).optional(),
  /** Azure OpenAI: the `api-version` query parameter (azure.ts has the default). */
  api_version: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/).optional(),
  /** false: the host has no legacy `/completions` for these models (OpenAI serves it for instruct models only). */
  legacy_completions: z.boolean().optional(),
  /**
   * The host's own reasoning switches, as body fields merged into requests to its reasoning
   * endpoints (src/providers/reasoning.ts). Efforts go as `reasoning_effort` where the endpoint lists it.
   */
  reasoning: z.strictObject({
    /** Sent when the client hides reasoning (`reasoning.exclude`, `include_reasoning: false`), e.g. `{"include_reasoning": false}`. */
    exclude: z.record(z.string(), z.unknown()).optional(),
    /** Sent when the client turns reasoning off (effort "none", `enabled: false`) on a model where it is optional. */
    off: z.record(z.string(), z.unknown()).optional(),
  }).optional(),
})

export const ProviderSchema = z.strictObject({
  id: slug,
  /** Display name, as responses report it ("OpenAI", "DeepInfra"). */
  name: z.string().min(1),
  protocol: Protocol,
  /** Default base URL; `<ID>_BASE_URL` overrides it. */
  base_url: z.url(),
  /** false for local hosts (Ollama, vLLM) and the built-in fake. */
  requires_key: z.boolean().default(true),
  /** The default base_url is a placeholder: the provider is unavailable until `<ID>_BASE_URL` is set (Azure). */
  requires_base_url: z.boolean().optional(),
  data_policy: z.strictObject({
    training: z.boolean(),
    retains_prompts: z.boolean(),
    zdr: z.boolean(),
  }),
  headquarters: z.string().length(2).optional(),
  privacy_policy_url: z.url().optional(),
  status_page_url: z.url().optional(),
  quirks: ProviderQuirks.optional(),
})
export type Provider = z.infer<typeof ProviderSchema>

export const PricingSchema = z.strictObject({
  prompt: MicroPerMillion,
  completion: MicroPerMillion,
  cache_read: MicroPerMillion.optional(),
  cache_write: MicroPerMillion.optional(),
  /** Per request, in microdollars. */
  request: z.number().int().nonnegative().optional(),
  /** Per input image, in microdollars. */
  image: z.number().int().nonnegative().optional(),
})
export type Pricing = z.infer<typeof PricingSchema>

export const CapabilitiesSchema = z.strictObject({
  tools: z.boolean(),
  tool_choice: z.boolean(),
  json_schema: z.boolean(),
  images: z.boolean(),
  reasoning: z.boolean(),
})

export const EndpointSchema = z.strictObject({
  provider: slug,
  /** The model id the upstream expects. */
  upstream_id: z.string().min(1),
  /** Routing slug; defaults to the provider id ("deepinfra/turbo" style when set). */
  tag: z.string().optional(),
  pricing: PricingSchema,
  context_length: z.number().int().positive(),
  max_output: z.number().int().positive(),
  quantization: Quantization.default('unknown'),
  regions: z.array(RegionTag).min(1),
  capabilities: CapabilitiesSchema,
  supported_parameters: z.array(z.string()).min(1),
  /**
   * Where the price came from, so a reviewer can trace it: `<source>@<version> <its key>`, e.g.
   * `@pydantic/genai-prices@0.1.8 groq/llama-3.3-70b-versatile` (docs/catalog.md).
   */
  price_source: z.string().min(1).optional(),
})
export type Endpoint = z.infer<typeof EndpointSchema>

export const ReasoningEffort = z.enum(['max', 'xhigh', 'high', 'medium', 'low', 'minimal', 'none'])

export const ModelSchema = z.strictObject({
  /** `author/slug`, or `author/slug:free` for a free variant row. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(:[a-z]+)?$/),
  canonical_slug: z.string().optional(),
  name: z.string().min(1),
  /** Unix seconds when the model was added. */
  created: z.number().int().positive(),
  description: z.string(),
  hugging_face_id: z.string().nullable().optional(),
  input_modalities: z.array(z.string()).min(1),
  output_modalities: z.array(z.string()).min(1),
  tokenizer: z.string(),
  instruct_type: z.string().nullable().optional(),
  knowledge_cutoff: z.string().nullable().optional(),
  /** Other ids that resolve to this model, e.g. `~anthropic/claude-sonnet-latest`. */
  aliases: z.array(z.string()).optional(),
  reasoning: z
    .strictObject({
      mandatory: z.boolean(),
      supported_efforts: z.array(ReasoningEffort).optional(),
      default_effort: ReasoningEffort.optional(),
    })
    .optional(),
  endpoints: z.array(EndpointSchema).min(1),
})
export type Model = z.infer<typeof ModelSchema>

export const CatalogSchema = z
  .strictObject({
    providers: z.array(ProviderSchema).min(1),
    models: z.array(ModelSchema).min(1),
  })
  .superRefine((catalog, ctx) => {
    const providers = new Set(catalog.providers.map((p) => p.id))
    const seen = new Set<string>()
    catalog.models.forEach((model, i) => {
      if (seen.has(model.id)) ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `duplicate model ${model.id}` })
      seen.add(model.id)
      model.endpoints.forEach((endpoint, j) => {
        if (!providers.has(endpoint.provider)) {
          ctx.addIssue({ code: 'custom', path: ['models', i, 'endpoints', j, 'provider'], message: `unknown provider ${endpoint.provider}` })
        }
      })
    })
  })
export type Catalog = z.infer<typeof CatalogSchema>
export type CatalogInput = z.input<typeof CatalogSchema>
