// The inference route table: a line a skin. Each route takes an inference key and is
// served by the one pipeline (api/inference.ts). A skin whose wire has an error envelope
// of its own renders every error on its route in it, auth and validation failures too;
// the OpenAI envelope is the app's own, so those routes need no handler of their own.
import { Hono } from 'hono'
import type { Skin } from '../api/inference.ts'
import type { AppEnv } from '../env.ts'
import { handleErrorWith, openAiErrorBody } from '../errors.ts'
import { requireKey } from '../middleware/auth.ts'
import { codecSkin } from './canonical-job.ts'
import { chatCodec } from './chat/codec.ts'
import { completionsCodec } from './completions/codec.ts'
import { embeddingsSkin } from './embeddings/skin.ts'

const route = (path: string, skin: Skin) => {
  const app = new Hono<AppEnv>().post(path, requireKey('inference'), (c) => skin.serve(c))
  return skin.errorBody === openAiErrorBody ? app : app.onError(handleErrorWith(skin.errorBody))
}

export const inference = new Hono<AppEnv>()
  .route('/', route('/chat/completions', codecSkin(chatCodec)))
  .route('/', route('/completions', codecSkin(completionsCodec)))
  .route('/', route('/embeddings', embeddingsSkin))
