// Embeddings on the Gemini API: batchEmbedContents, one request per input.
// The AI Studio API reports no token usage for embeddings, so the route estimates
// it (about four characters a token); billing is never skipped.
// @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
import { inputList, type EmbeddingsRequest } from '../schemas/embeddings-request.ts'
import { UpstreamShapeError } from './openai.ts'
import type { EmbeddingsAdapter, EmbeddingsResult, Target, UpstreamRequest } from './types.ts'
import { GeminiBatchEmbedResponse, type GeminiBatchEmbedRequest } from './wire/gemini.ts'

/** `input_type` values Gemini knows as a taskType. @see https://ai.google.dev/api/embeddings#tasktype */
const TASK_TYPES = new Set([
  'SEMANTIC_SIMILARITY', 'CLASSIFICATION', 'CLUSTERING', 'RETRIEVAL_DOCUMENT', 'RETRIEVAL_QUERY',
  'CODE_RETRIEVAL_QUERY', 'QUESTION_ANSWERING', 'FACT_VERIFICATION',
])

export const toUpstream = (req: EmbeddingsRequest, target: Target): UpstreamRequest => {
  const { endpoint } = target
  const model = `models/${endpoint.upstream_id}`
  const taskType = req.input_type?.toUpperCase()
  const extras = {
    ...(req.dimensions != null && endpoint.supported_parameters.includes('dimensions') ? { outputDimensionality: req.dimensions } : {}),
    ...(taskType && TASK_TYPES.has(taskType) && endpoint.supported_parameters.includes('input_type') ? { taskType } : {}),
  }
  // Token-id inputs never reach here: tokenInput is false, so the route keeps them from this adapter.
  const texts = inputList(req.input).map(String)
  const body: GeminiBatchEmbedRequest = { requests: texts.map((text) => ({ model, content: { parts: [{ text }] }, ...extras })) }
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (target.apiKey) headers['x-goog-api-key'] = target.apiKey
  return { url: `${target.baseUrl.replace(/\/+$/, '')}/${model}:batchEmbedContents`, headers, body: JSON.stringify(body) }
}

export const fromUpstream = (json: unknown): EmbeddingsResult => {
  const parsed = GeminiBatchEmbedResponse.safeParse(json)
  if (!parsed.success) throw new UpstreamShapeError(`unexpected embeddings shape: ${parsed.error.issues[0]?.message}`)
  return {
    upstreamId: null,
    vectors: parsed.data.embeddings.map((e) => e.values),
    promptTokens: parsed.data.usageMetadata?.promptTokenCount ?? null,
  }
}

export const geminiEmbeddings: EmbeddingsAdapter = { tokenInput: false, toUpstream, fromUpstream }
