// The Anthropic Messages skin (POST /messages, POST /messages/count_tokens): what
// Claude Code, the Anthropic SDKs and the Agent SDKs speak, served on every model:
// natively on Anthropic endpoints (native.ts), translated through canonical chat elsewhere.
import type { SkinCodec } from '../skin.ts'
import { messagesErrorBody } from './errors.ts'
import { nativeMessages } from './native.ts'
import { decodeMessages, type MessagesRequest } from './request.ts'
import { messageBody } from './response.ts'
import { messagesStreamEncoder } from './stream.ts'
import { toCanonical } from './to-canonical.ts'

export const messagesCodec: SkinCodec<MessagesRequest> = {
  apiType: 'messages',
  decode: decodeMessages,
  toCanonical,
  encodeJson: messageBody,
  streamEncoder: messagesStreamEncoder,
  errorBody: messagesErrorBody,
  native: nativeMessages,
  spills: true,
}

export { countTokens } from './count-tokens.ts'
export { catalogModelId } from './model-ids.ts'
export { decodeCountTokens, type CountTokensRequest, type MessagesRequest } from './request.ts'
