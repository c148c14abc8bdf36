// POST /chat/completions: OpenAI's chat wire with OpenRouter's additions. Its request
// is the canonical one, so decoding is validation and nothing more.
import { parseBody } from '../../api/request.ts'
import { openAiErrorBody } from '../../errors.ts'
import { ChatRequest } from '../../schemas/chat-request.ts'
import type { SkinCodec } from '../skin.ts'
import { chatStreamEncoder, completionBody } from './render.ts'

export const chatCodec: SkinCodec<ChatRequest> = {
  apiType: 'completions',
  decode: (raw) => parseBody(raw, ChatRequest),
  toCanonical: (req) => req,
  encodeJson: (meta, res, usage, cost) => completionBody(meta, res, usage, cost),
  streamEncoder: (meta) => chatStreamEncoder(meta),
  errorBody: openAiErrorBody,
  spills: true,
}
