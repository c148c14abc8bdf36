// The azure adapter: Azure OpenAI is the OpenAI wire addressed differently — a
// deployment URL with `api-version`, an `api-key` header, and no `model` in the body
// (the deployment, the endpoint's upstream_id, names it). Everything else is openai.ts.
// @see https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference
import { completionsBody, openaiCompletions } from './openai-completions.ts'
import { embeddingsBody, openaiEmbeddings } from './openai-embeddings.ts'
import { chatBody, openai } from './openai.ts'
import type { ProviderAdapter, Target, UpstreamRequest } from './types.ts'

/** The latest GA data-plane version when this was written; `quirks.api_version` overrides it. */
export const DEFAULT_API_VERSION = '2024-10-21'

export const azureRequest = (target: Target, path: string, body: Record<string, unknown>): UpstreamRequest => {
  const { model: _, ...rest } = body
  const version = target.provider.quirks?.api_version ?? DEFAULT_API_VERSION
  const deployment = encodeURIComponent(target.endpoint.upstream_id)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (target.apiKey) headers['api-key'] = target.apiKey
  return {
    url: `${target.baseUrl.replace(/\/+$/, '')}/openai/deployments/${deployment}/${path}?api-version=${encodeURIComponent(version)}`,
    headers,
    body: JSON.stringify(rest),
  }
}

export const azure: ProviderAdapter<null> = {
  ...openai,
  toUpstream: (req, target) => azureRequest(target, 'chat/completions', chatBody(req, target)),
  embeddings: { ...openaiEmbeddings, toUpstream: (req, target) => azureRequest(target, 'embeddings', embeddingsBody(req, target)) },
  completions: { ...openaiCompletions, toUpstream: (req, target) => azureRequest(target, 'completions', completionsBody(req, target)) },
}
