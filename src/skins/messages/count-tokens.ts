// POST /messages/count_tokens answers an estimate, not a tokenizer's count: the models
// behind the gateway use many tokenizers, and none ships with it. The method:
// - system, messages and tools are serialized as JSON, and counted like the admission
//   estimate does (estimatePromptTokens: about three UTF-8 bytes a token, which
//   over-counts English and code a little rather than under-count);
// - base64 payloads are not counted as text: each image counts 1,600 tokens (the most
//   Anthropic bills for one image, about 1.15 megapixels), and any other file (PDF)
//   counts its decoded size at the same three bytes a token.
// @see https://docs.anthropic.com/en/docs/build-with-claude/token-counting
// @see https://docs.anthropic.com/en/docs/build-with-claude/vision#calculate-image-costs
import { estimatePromptTokens } from '../../billing/pricing.ts'
import type { CountTokensRequest } from './request.ts'

export const IMAGE_TOKENS = 1_600

const isBase64Source = (v: unknown): v is { type: 'base64'; media_type: string; data: string } =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'base64' && typeof (v as { data?: unknown }).data === 'string'

/** Bytes a base64 string decodes to. */
const decodedBytes = (b64: string): number => Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0)

export const countTokens = (req: CountTokensRequest): { input_tokens: number } => {
  let payloads = 0
  const json = JSON.stringify({ system: req.system, messages: req.messages, tools: req.tools }, (_key, value: unknown) => {
    if (!isBase64Source(value)) return value
    payloads += value.media_type.startsWith('image/') ? IMAGE_TOKENS : Math.ceil(decodedBytes(value.data) / 3)
    return { ...value, data: '' }
  })
  return { input_tokens: estimatePromptTokens(json) + payloads }
}
