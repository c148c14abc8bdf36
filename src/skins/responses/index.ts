// POST /api/v1/responses: OpenAI's Responses API, stateless as OpenRouter's (the whole
// conversation in `input` every time; nothing is stored, `previous_response_id` is refused),
// served on every catalog model through the canonical chat request.
import type { SkinCodec } from '../skin.ts'
import { toCanonical } from './canonical.ts'
import { responsesErrorBody } from './errors.ts'
import { decodeResponses, type ResponsesRequest } from './request.ts'
import { encodeResponse } from './response.ts'
import { responsesStream } from './stream.ts'

export type { ResponsesRequest } from './request.ts'
export { generationIdOf, responseId } from './response.ts'

export const responsesCodec: SkinCodec<ResponsesRequest> = {
  apiType: 'responses',
  decode: decodeResponses,
  toCanonical,
  encodeJson: encodeResponse,
  streamEncoder: responsesStream,
  errorBody: responsesErrorBody,
}
