// The azure adapter: the openai wire at deployment URLs with api-version, the
// api-key header and no `model` in the body; responses, streams and errors are openai's.
import { describe, expect, it } from 'vitest'
import type { Endpoint, Model, Provider } from '../../../src/catalog/schema.ts'
import { azure, DEFAULT_API_VERSION } from '../../../src/providers/azure.ts'
import { openai } from '../../../src/providers/openai.ts'
import { adapterFor } from '../../../src/providers/registry.ts'
import type { Target } from '../../../src/providers/types.ts'
import { ChatRequest } from '../../../src/schemas/chat-request.ts'
import { CompletionRequest } from '../../../src/schemas/completion-request.ts'
import { EmbeddingsRequest } from '../../../src/schemas/embeddings-request.ts'
import chatText from '../../fixtures/openai/chat-text.json'

const endpoint: Endpoint = {
  provider: 'azure', upstream_id: 'my-gpt-4o-mini', pricing: { prompt: 150_000, completion: 600_000 }, context_length: 128_000,
  max_output: 16_384, quantization: 'unknown', regions: ['us'],
  capabilities: { tools: true, tool_choice: true, json_schema: true, images: true, reasoning: false },
  supported_parameters: ['max_tokens', 'temperature', 'tools', 'tool_choice', 'dimensions'],
}
const model: Model = {
  id: 'openai/gpt-4o-mini', name: 'GPT-4o-mini', created: 1_721_260_800, description: 'test', input_modalities: ['text'],
  output_modalities: ['text'], tokenizer: 'GPT', endpoints: [endpoint],
}
const targetOf = (quirks: Provider['quirks'] = {}, apiKey: string | null = 'az-key-test'): Target => ({
  model, endpoint,
  provider: { id: 'azure', name: 'Azure', protocol: 'azure', base_url: 'https://your-resource.openai.azure.com', requires_key: true, data_policy: { training: false, retains_prompts: true, zdr: false }, quirks },
  baseUrl: 'https://contoso.openai.azure.com/',
  apiKey: apiKey ?? undefined,
})
const decode = (up: { url: string; headers: Record<string, string>; body: string }) => ({ ...up, body: JSON.parse(up.body) as Record<string, unknown> })

describe('azure', () => {
  it('is registered for the azure protocol', () => {
    expect(adapterFor('azure')).toBe(azure)
  })

  it('chat: deployment URL with the default api-version, api-key header, body without model', () => {
    const req = ChatRequest.parse({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 20, stream: true })
    expect(decode(azure.toUpstream(req, targetOf()))).toMatchInlineSnapshot(`
      {
        "body": {
          "max_tokens": 20,
          "messages": [
            {
              "content": "Hello",
              "role": "user",
            },
          ],
          "stream": true,
          "stream_options": {
            "include_usage": true,
          },
        },
        "headers": {
          "api-key": "az-key-test",
          "content-type": "application/json",
        },
        "url": "https://contoso.openai.azure.com/openai/deployments/my-gpt-4o-mini/chat/completions?api-version=2024-10-21",
      }
    `)
    expect(DEFAULT_API_VERSION).toBe('2024-10-21')
  })

  it('takes api_version from the provider quirks and sends no key header without a key', () => {
    const req = ChatRequest.parse({ messages: [{ role: 'user', content: 'Hi' }] })
    const up = azure.toUpstream(req, targetOf({ api_version: '2025-04-01-preview' }, null))
    expect(up.url).toBe('https://contoso.openai.azure.com/openai/deployments/my-gpt-4o-mini/chat/completions?api-version=2025-04-01-preview')
    expect(up.headers).toEqual({ 'content-type': 'application/json' })
  })

  it('embeddings and legacy completions use the same deployment addressing', () => {
    const embed = azure.embeddings!.toUpstream(EmbeddingsRequest.parse({ model: 'm', input: ['a'], dimensions: 8 }), targetOf())
    expect(decode(embed)).toMatchInlineSnapshot(`
      {
        "body": {
          "dimensions": 8,
          "input": [
            "a",
          ],
        },
        "headers": {
          "api-key": "az-key-test",
          "content-type": "application/json",
        },
        "url": "https://contoso.openai.azure.com/openai/deployments/my-gpt-4o-mini/embeddings?api-version=2024-10-21",
      }
    `)
    const text = azure.completions!.toUpstream(CompletionRequest.parse({ model: 'm', prompt: 'Once', max_tokens: 3 }), targetOf())
    expect(decode(text)).toMatchInlineSnapshot(`
      {
        "body": {
          "max_tokens": 3,
          "prompt": "Once",
        },
        "headers": {
          "api-key": "az-key-test",
          "content-type": "application/json",
        },
        "url": "https://contoso.openai.azure.com/openai/deployments/my-gpt-4o-mini/completions?api-version=2024-10-21",
      }
    `)
  })

  it('reads responses, stream events and errors exactly as openai does', () => {
    expect(azure.fromUpstream(chatText)).toEqual(openai.fromUpstream(chatText))
    const body = JSON.stringify({ error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } })
    expect(azure.parseError(404, body, new Headers())).toMatchObject({ status: 404, code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' })
    // Azure's first stream event carries only prompt_filter_results: no choices, nothing to send.
    expect(azure.fromUpstreamEvent({ data: '{"choices":[],"prompt_filter_results":[{"prompt_index":0}]}' }, null)).toEqual({ kind: 'chunks', chunks: [{ choices: [] }], state: null })
  })
})
