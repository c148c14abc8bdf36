// The inference route table: a line a skin. Each route takes an inference key and is
// served by the one pipeline (api/inference.ts). A skin whose wire has an error envelope
// of its own renders every error on its route in it, auth and validation failures too;
// the OpenAI envelope is the app's own, so those routes need no handler of their own.
import { Hono } from 'hono'
import type { Skin } from '../api/inference.ts'
import { planError, requireModality } from '../api/pipeline.ts'
import { catalogIndex } from '../catalog/lookup.ts'
import type { AppEnv } from '../env.ts'
import { handleErrorWith, openAiErrorBody, type ErrorEnvelope } from '../errors.ts'
import { requireKey } from '../middleware/auth.ts'
import { isAutoRouter } from '../routing/auto.ts'
import { resolveModel } from '../routing/variants.ts'
import { codecSkin } from './canonical-job.ts'
import { chatCodec } from './chat/codec.ts'
import { completionsCodec } from './completions/codec.ts'
import { embeddingsSkin } from './embeddings/skin.ts'
import { catalogModelId, countTokens, decodeCountTokens, messagesCodec, type CountTokensRequest } from './messages/index.ts'
import { responsesCodec } from './responses/index.ts'

const route = (path: string, skin: Skin) => {
  const app = new Hono<AppEnv>().post(path, requireKey('inference'), (c) => skin.serve(c))
  return skin.errorBody === openAiErrorBody ? app : app.onError(handleErrorWith(skin.errorBody))
}

/** The model must be one /messages would serve: an unknown id is the planner's error (Anthropic's 404 not_found_error). */
const requireCountable = (req: CountTokensRequest): CountTokensRequest => {
  const model = catalogModelId(req.model)
  const index = catalogIndex()
  requireModality([model], index, 'text')
  if (!isAutoRouter(model) && !resolveModel(model, index)) throw planError({ kind: 'unknown_model', model })
  return req
}

/** POST /messages/count_tokens: an estimate of the prompt's tokens (the method: messages/count-tokens.ts); no model is called. */
const countTokensRoute = new Hono<AppEnv>()
  .post('/messages/count_tokens', requireKey('inference'), async (c) => c.json(countTokens(requireCountable(decodeCountTokens(await c.req.text())))))
  .onError(handleErrorWith(messagesCodec.errorBody))

const SKINS: readonly (readonly [string, Skin])[] = [
  ['/chat/completions', codecSkin(chatCodec)],
  ['/completions', codecSkin(completionsCodec)],
  ['/embeddings', embeddingsSkin],
  ['/messages', codecSkin(messagesCodec)],
  ['/responses', codecSkin(responsesCodec)],
]

export const inference = SKINS.reduce((app, [path, skin]) => app.route('/', route(path, skin)), new Hono<AppEnv>().route('/', countTokensRoute))

/** Each inference route's error envelope under /api/v1, for errors raised before its route runs (the body limit, middleware/edge.ts). */
const ENVELOPES = new Map<string, ErrorEnvelope>([
  ...SKINS.map(([path, skin]) => [`/api/v1${path}`, skin.errorBody] as const),
  ['/api/v1/messages/count_tokens', messagesCodec.errorBody],
])
export const envelopeOfPath = (path: string): ErrorEnvelope => ENVELOPES.get(path) ?? openAiErrorBody
