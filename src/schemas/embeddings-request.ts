// The public embeddings request (docs/compatibility.md#embeddings): OpenAI's body plus OpenRouter's
// `provider`. Text or token-id inputs; the multimodal `{content: […]}` form is not served.
import { z } from 'zod'
import { ProviderPreferences } from './chat-request.ts'

/** OpenAI's own cap on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048

/** More than any embedding model offers (3,072 at most for OpenAI's and Gemini's); beyond it is a mistake. */
export const MAX_EMBEDDING_DIMENSIONS = 16_384

const Tokens = z.array(z.number().int().nonnegative()).min(1)

export const EmbeddingsInput = z.union([
  z.string(),
  z.array(z.string()).min(1).max(MAX_EMBEDDING_INPUTS),
  Tokens,
  z.array(Tokens).min(1).max(MAX_EMBEDDING_INPUTS),
])
export type EmbeddingsInput = z.infer<typeof EmbeddingsInput>

export const EmbeddingsRequest = z.looseObject({
  model: z.string().min(1).optional(),
  /** Fallback models, as in chat. */
  models: z.array(z.string().min(1)).max(10).optional(),
  input: EmbeddingsInput,
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).max(MAX_EMBEDDING_DIMENSIONS).nullish(),
  input_type: z.string().nullish(),
  user: z.string().nullish(),
  provider: ProviderPreferences.nullish(),
})
export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequest>

/** The inputs as a list: texts, or token-id arrays. */
export const inputList = (input: EmbeddingsInput): (string | number[])[] => {
  if (typeof input === 'string') return [input]
  if (input.length > 0 && typeof input[0] === 'number') return [input as number[]]
  return input as string[] | number[][]
}

export const isTokenInput = (input: EmbeddingsInput): boolean =>
  typeof input !== 'string' && input.length > 0 && typeof input[0] !== 'string'
