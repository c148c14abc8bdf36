// The public embeddings response (docs/compatibility.md#embeddings): OpenAI's list object plus
// OpenRouter's `id`, `provider` and usage with cost. Vectors are converted to the
// encoding the caller asked for, whatever the upstream sent.
import type { Cost } from '../../billing/pricing.ts'
import { toDollars } from '../../lib/money.ts'
import type { GenerationMeta } from '../chat/render.ts'

/** Little-endian float32, base64: OpenAI's `encoding_format: "base64"` (what the openai SDK asks for by default). */
export const floatsToBase64 = (values: number[]): string => {
  const view = new DataView(new ArrayBuffer(values.length * 4))
  values.forEach((v, i) => view.setFloat32(i * 4, v, true))
  let binary = ''
  const bytes = new Uint8Array(view.buffer)
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export const base64ToFloats = (encoded: string): number[] => {
  const bytes = Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0))
  const view = new DataView(bytes.buffer)
  return Array.from({ length: Math.floor(bytes.length / 4) }, (_, i) => view.getFloat32(i * 4, true))
}

const encode = (vector: number[] | string, format: 'float' | 'base64'): number[] | string => {
  if (format === 'base64') return typeof vector === 'string' ? vector : floatsToBase64(vector)
  return typeof vector === 'string' ? base64ToFloats(vector) : vector
}

export const embeddingsBody = (meta: GenerationMeta, vectors: (number[] | string)[], format: 'float' | 'base64', promptTokens: number, cost: Cost) => ({
  id: meta.id,
  object: 'list' as const,
  data: vectors.map((v, index) => ({ object: 'embedding' as const, embedding: encode(v, format), index })),
  model: meta.model,
  provider: meta.provider,
  usage: { prompt_tokens: promptTokens, total_tokens: promptTokens, cost: toDollars(cost.total), is_byok: false },
})
