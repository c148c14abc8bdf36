// POST /embeddings on OpenAI-wire hosts: nearly the identity. Optional fields go
// only to endpoints that list them; vectors come back in input order.
// @see https://platform.openai.com/docs/api-reference/embeddings/create
import type { EmbeddingsRequest } from '../schemas/embeddings-request.ts'
import { openaiRequest, UpstreamShapeError } from './openai.ts'
import type { EmbeddingsAdapter, EmbeddingsResult, Target, UpstreamRequest } from './types.ts'
import { OpenAIEmbeddingsResponse } from './wire/openai.ts'

/** Sent only when the endpoint lists them (unsupported ones are dropped: docs/compatibility.md#unsupported-parameters). */
const OPTIONAL = ['dimensions', 'encoding_format', 'input_type'] as const

export const embeddingsBody = (req: EmbeddingsRequest, target: Target): Record<string, unknown> => {
  const body: Record<string, unknown> = { model: target.endpoint.upstream_id, input: req.input }
  for (const field of OPTIONAL) {
    if (req[field] != null && target.endpoint.supported_parameters.includes(field)) body[field] = req[field]
  }
  if (req.user) body.user = req.user
  return body
}

export const toUpstream = (req: EmbeddingsRequest, target: Target): UpstreamRequest =>
  openaiRequest(target, 'embeddings', embeddingsBody(req, target))

export const fromUpstream = (json: unknown): EmbeddingsResult => {
  const parsed = OpenAIEmbeddingsResponse.safeParse(json)
  if (!parsed.success) throw new UpstreamShapeError(`unexpected embeddings shape: ${parsed.error.issues[0]?.message}`)
  const { data, usage, id } = parsed.data
  // `index` is optional on some hosts; without it, the array order is the input order.
  const ordered = data.every((d) => d.index !== undefined) ? [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)) : data
  return {
    upstreamId: id ?? null,
    vectors: ordered.map((d) => d.embedding),
    promptTokens: usage?.prompt_tokens ?? null,
  }
}

export const openaiEmbeddings: EmbeddingsAdapter = { tokenInput: true, toUpstream, fromUpstream }
