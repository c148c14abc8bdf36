// POST /completions, the legacy text-completions API (docs/compatibility.md#legacy-text-completions),
// for every text model. Hosts with their own /completions get the prompt as it is
// (native.ts); every other endpoint is asked through chat, the prompt as one user
// message, and its answer comes back as `choices[].text`. Legacy completions have no
// place for reasoning, so it is hidden (billed, never shown), as `reasoning.exclude` does.
import { openAiErrorBody } from '../../errors.ts'
import type { CanonicalRequest } from '../../providers/types.ts'
import { parseBody } from '../../api/request.ts'
import { CompletionRequest } from '../../schemas/completion-request.ts'
import type { SkinCodec } from '../skin.ts'
import { nativeCompletions } from './native.ts'
import { textCompletionBody, textStreamEncoder } from './render.ts'

/** Fields that mean the same in a chat request; the legacy-only ones (suffix, echo, best_of) reach native hosts only. */
const SHARED = [
  'model', 'models', 'stream', 'max_tokens', 'temperature', 'top_p', 'top_k', 'frequency_penalty', 'presence_penalty', 'repetition_penalty',
  'seed', 'stop', 'logit_bias', 'user', 'provider', 'route', 'usage', 'transforms', 'max_cost', 'n',
] as const

export const canonicalOfCompletion = (req: CompletionRequest): CanonicalRequest => {
  const out: Record<string, unknown> = { messages: [{ role: 'user', content: req.prompt }], reasoning: { exclude: true } }
  for (const field of SHARED) if (req[field] != null) out[field] = req[field]
  // Legacy logprobs is the number of top alternatives; chat asks for them separately.
  if (req.logprobs != null) Object.assign(out, { logprobs: true, top_logprobs: req.logprobs })
  return out as CanonicalRequest
}

export const completionsCodec: SkinCodec<CompletionRequest> = {
  // As OpenRouter reports them: chat and legacy completions are both 'completions'.
  apiType: 'completions',
  decode: (raw) => parseBody(raw, CompletionRequest),
  toCanonical: canonicalOfCompletion,
  encodeJson: (meta, res, usage, cost) => textCompletionBody(meta, res, usage, cost),
  streamEncoder: (meta) => textStreamEncoder(meta),
  errorBody: openAiErrorBody,
  native: nativeCompletions,
  spills: true,
}
