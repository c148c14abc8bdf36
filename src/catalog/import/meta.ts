// PURE: a model's metadata, from the reviewed entry first, then the best-informed listing
// (OpenRouter's, then a first-party host's, then any), then plain defaults.
import type { Endpoint, Model } from '../schema.ts'
import type { Offer } from './offers.ts'
import type { ModelMeta } from './schema.ts'

/** When no source dates a model: 2024-01-01, a placeholder that sorts such models last among recent ones. */
export const UNKNOWN_CREATED = 1_704_067_200

const MODALITIES = new Set(['text', 'image', 'file', 'audio', 'video'])

const titleOf = (id: string) => id.slice(id.indexOf('/') + 1).replace(/:free$/, '')

export const modelMeta = (id: string, meta: ModelMeta | undefined, offers: Offer[], endpoints: Endpoint[]): Omit<Model, 'endpoints'> => {
  const ranked = [...offers].sort((a, b) => rank(a) - rank(b))
  const first = <K extends keyof Offer>(k: K): Offer[K] | undefined => ranked.find((o) => o[k] !== undefined)?.[k]
  const free = id.endsWith(':free')
  const input = (meta?.input_modalities ?? first('input_modalities')?.filter((m) => MODALITIES.has(m))) ?? []
  const images = endpoints.some((e) => e.capabilities.images)
  const inputs = input.length > 0 ? input : images ? ['text', 'image'] : ['text']
  const outputs = (meta?.output_modalities ?? first('output_modalities')?.filter((m) => MODALITIES.has(m) || m === 'embeddings')) ?? ['text']
  const name = meta?.name ?? first('name') ?? titleOf(id)
  const created = meta?.created ?? Math.min(...offers.map((o) => o.created ?? Infinity))
  const hf = meta?.hugging_face_id ?? first('hugging_face_id')
  return {
    id,
    ...(meta?.canonical_slug ? { canonical_slug: meta.canonical_slug } : {}),
    name: free && !/\(free\)$/i.test(name) ? `${name} (free)` : name,
    created: Number.isFinite(created) ? created : UNKNOWN_CREATED,
    description: meta?.description ?? first('description') ?? '',
    ...(hf ? { hugging_face_id: hf } : {}),
    input_modalities: inputs,
    output_modalities: outputs.length > 0 ? outputs : ['text'],
    tokenizer: meta?.tokenizer ?? first('tokenizer') ?? 'Other',
    ...(meta?.instruct_type ?? first('instruct_type') ? { instruct_type: meta?.instruct_type ?? first('instruct_type') } : {}),
    ...(meta?.knowledge_cutoff ?? first('knowledge') ? { knowledge_cutoff: meta?.knowledge_cutoff ?? first('knowledge') } : {}),
    ...(meta?.aliases ? { aliases: meta.aliases } : {}),
    ...(meta?.reasoning ? { reasoning: meta.reasoning } : {}),
  }
}

/** OpenRouter's listing knows most about a model; then models.dev's; genai-prices' names are terse. */
const rank = (o: Offer) => (o.listed_by.includes('openrouter') ? 0 : o.listed_by.includes('models.dev') ? 1 : 2)
