// The embeddings parts of the openai and gemini adapters: outgoing bodies as inline
// snapshots, fixtures → vectors in input order, and the public rendering (base64).
import { describe, expect, it } from 'vitest'
import { base64ToFloats, embeddingsBody, floatsToBase64 } from '../../../src/skins/embeddings/render.ts'
import { estimateEmbeddingTokens } from '../../../src/skins/embeddings/skin.ts'
import { costOf } from '../../../src/billing/pricing.ts'
import type { Endpoint, Model, Provider } from '../../../src/catalog/schema.ts'
import { geminiEmbeddings } from '../../../src/providers/gemini-embeddings.ts'
import { openaiEmbeddings } from '../../../src/providers/openai-embeddings.ts'
import { UpstreamShapeError } from '../../../src/providers/openai.ts'
import type { EmbeddingsAdapter, Target } from '../../../src/providers/types.ts'
import { EmbeddingsRequest, inputList, isTokenInput } from '../../../src/schemas/embeddings-request.ts'
import batchEmbed from '../../fixtures/gemini/batch-embed.json'
import openaiEmbeddingsFixture from '../../fixtures/openai/embeddings.json'

const endpointOf = (over: Partial<Endpoint> = {}): Endpoint => ({
  provider: 'acme',
  upstream_id: 'acme-embed-v3',
  pricing: { prompt: 20_000, completion: 0 },
  context_length: 8191,
  max_output: 1,
  quantization: 'unknown',
  regions: ['us'],
  capabilities: { tools: false, tool_choice: false, json_schema: false, images: false, reasoning: false },
  supported_parameters: ['dimensions', 'encoding_format'],
  ...over,
})

const model: Model = {
  id: 'acme/embed', name: 'Acme: Embed', created: 1_750_000_000, description: 'test', input_modalities: ['text'],
  output_modalities: ['embeddings'], tokenizer: 'Other', endpoints: [endpointOf()],
}

const providerOf = (protocol: Provider['protocol']): Provider => ({
  id: 'acme', name: 'Acme AI', protocol, base_url: 'https://api.acme.test/v1', requires_key: true,
  data_policy: { training: false, retains_prompts: false, zdr: true },
})

const targetOf = (protocol: Provider['protocol'], endpoint: Partial<Endpoint> = {}, baseUrl = 'https://api.acme.test/v1/'): Target => ({
  model, endpoint: endpointOf(endpoint), provider: providerOf(protocol), baseUrl, apiKey: 'key-test',
})

const outgoing = (adapter: EmbeddingsAdapter, request: unknown, target: Target) => {
  const up = adapter.toUpstream(EmbeddingsRequest.parse(request), target)
  return { url: up.url, headers: up.headers, body: JSON.parse(up.body) as unknown }
}

describe('request schema', () => {
  it('normalizes every input form to a list and tells token ids from text', () => {
    const list = (input: unknown) => inputList(EmbeddingsRequest.parse({ model: 'm', input }).input)
    expect(list('one')).toEqual(['one'])
    expect(list(['a', 'b'])).toEqual(['a', 'b'])
    expect(list([1, 2, 3])).toEqual([[1, 2, 3]])
    expect(list([[1], [2, 3]])).toEqual([[1], [2, 3]])
    expect(isTokenInput([1, 2])).toBe(true)
    expect(isTokenInput([[1], [2]])).toBe(true)
    expect(isTokenInput(['x'])).toBe(false)
    expect(EmbeddingsRequest.safeParse({ model: 'm', input: [] }).success).toBe(false)
    expect(EmbeddingsRequest.safeParse({ model: 'm', input: [{ content: [{ type: 'text', text: 'x' }] }] }).success).toBe(false)
  })

  it('estimates unreported usage at about four characters a token (token ids count one each)', () => {
    expect(estimateEmbeddingTokens(['abcd', 'abcde', ''])).toBe(1 + 2 + 0)
    expect(estimateEmbeddingTokens([[1, 2, 3], [4]])).toBe(4)
  })
})

describe('openai embeddings', () => {
  it('sends the upstream id, the input as given, supported options and user to /embeddings', () => {
    expect(outgoing(openaiEmbeddings, {
      model: 'acme/embed', input: ['hello', 'world'], dimensions: 4, encoding_format: 'base64', user: 'u-1', input_type: 'query',
      provider: { order: ['acme'] },
    }, targetOf('openai'))).toMatchInlineSnapshot(`
      {
        "body": {
          "dimensions": 4,
          "encoding_format": "base64",
          "input": [
            "hello",
            "world",
          ],
          "model": "acme-embed-v3",
          "user": "u-1",
        },
        "headers": {
          "authorization": "Bearer key-test",
          "content-type": "application/json",
        },
        "url": "https://api.acme.test/v1/embeddings",
      }
    `)
  })

  it('drops options the endpoint does not list, and passes token ids through', () => {
    const target = targetOf('openai', { supported_parameters: ['input_type'] })
    expect(outgoing(openaiEmbeddings, { model: 'm', input: [1, 2, 3], dimensions: 8, input_type: 'query' }, target).body).toMatchInlineSnapshot(`
      {
        "input": [
          1,
          2,
          3,
        ],
        "input_type": "query",
        "model": "acme-embed-v3",
      }
    `)
  })

  it('reads the fixture into vectors and prompt tokens', () => {
    expect(openaiEmbeddings.fromUpstream(openaiEmbeddingsFixture)).toEqual({
      upstreamId: null,
      vectors: [openaiEmbeddingsFixture.data[0]!.embedding, openaiEmbeddingsFixture.data[1]!.embedding],
      promptTokens: 9,
    })
  })

  it('puts vectors back in input order by index, keeps base64 strings, and reports missing usage as null', () => {
    const result = openaiEmbeddings.fromUpstream({
      data: [{ index: 1, embedding: 'AACAPw==' }, { index: 0, embedding: [0.5] }],
    })
    expect(result).toEqual({ upstreamId: null, vectors: [[0.5], 'AACAPw=='], promptTokens: null })
  })

  it('throws a shape error on a body without data', () => {
    expect(() => openaiEmbeddings.fromUpstream({ object: 'list' })).toThrow(UpstreamShapeError)
  })
})

describe('gemini embeddings', () => {
  const gemini = targetOf('gemini', { upstream_id: 'gemini-embedding-001', supported_parameters: ['dimensions', 'input_type'] }, 'https://generativelanguage.googleapis.com/v1beta')

  it('sends one batchEmbedContents request per input, with outputDimensionality and a known taskType', () => {
    expect(outgoing(geminiEmbeddings, { model: 'google/gemini-embedding-001', input: ['hello', 'world'], dimensions: 4, input_type: 'retrieval_query', user: 'u-1' }, gemini))
      .toMatchInlineSnapshot(`
        {
          "body": {
            "requests": [
              {
                "content": {
                  "parts": [
                    {
                      "text": "hello",
                    },
                  ],
                },
                "model": "models/gemini-embedding-001",
                "outputDimensionality": 4,
                "taskType": "RETRIEVAL_QUERY",
              },
              {
                "content": {
                  "parts": [
                    {
                      "text": "world",
                    },
                  ],
                },
                "model": "models/gemini-embedding-001",
                "outputDimensionality": 4,
                "taskType": "RETRIEVAL_QUERY",
              },
            ],
          },
          "headers": {
            "content-type": "application/json",
            "x-goog-api-key": "key-test",
          },
          "url": "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents",
        }
      `)
  })

  it('leaves out unknown task types and unlisted parameters', () => {
    const bare = targetOf('gemini', { upstream_id: 'gemini-embedding-001', supported_parameters: ['max_tokens'] })
    const body = outgoing(geminiEmbeddings, { model: 'm', input: 'solo', dimensions: 4, input_type: 'search' }, bare).body
    expect(body).toEqual({ requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'solo' }] } }] })
    expect(geminiEmbeddings.tokenInput).toBe(false)
  })

  it('reads the fixture: values in request order, and no usage (estimated by the route)', () => {
    expect(geminiEmbeddings.fromUpstream(batchEmbed)).toEqual({
      upstreamId: null,
      vectors: batchEmbed.embeddings.map((e) => e.values),
      promptTokens: null,
    })
    expect(geminiEmbeddings.fromUpstream({ embeddings: [{ values: [1] }], usageMetadata: { promptTokenCount: 3 } }).promptTokens).toBe(3)
    expect(() => geminiEmbeddings.fromUpstream({ embedding: { values: [1] } })).toThrow(UpstreamShapeError)
  })
})

describe('public rendering', () => {
  const meta = { id: 'gen-1-abc', created: 1, model: 'acme/embed', provider: 'Acme AI' }
  const cost = costOf({ prompt_tokens: 100, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }, { prompt: 20_000, completion: 0 }, 0) // 2 µ$

  it('round-trips base64 little-endian float32 exactly for float32 values', () => {
    const values = [0.5, -1, 0.25, 3.140625]
    expect(floatsToBase64([1])).toBe('AACAPw==')
    expect(base64ToFloats(floatsToBase64(values))).toEqual(values)
  })

  it('renders the OpenAI list with id, provider and usage (cost in dollars), converting to the asked encoding', () => {
    expect(embeddingsBody(meta, [[0.5], 'AACAPw=='], 'float', 7, cost)).toEqual({
      id: 'gen-1-abc',
      object: 'list',
      data: [{ object: 'embedding', embedding: [0.5], index: 0 }, { object: 'embedding', embedding: [1], index: 1 }],
      model: 'acme/embed',
      provider: 'Acme AI',
      usage: { prompt_tokens: 7, total_tokens: 7, cost: 0.000002, is_byok: false },
    })
    expect(embeddingsBody(meta, [[1], 'AAAAPw=='], 'base64', 7, cost).data.map((d) => d.embedding)).toEqual(['AACAPw==', 'AAAAPw=='])
  })
})
