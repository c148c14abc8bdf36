// The public legacy completions request (docs/compatibility.md#legacy-text-completions): a `prompt` instead of
// `messages`; sampling fields and OpenRouter's routing fields as in chat. Unknown
// fields (suffix, echo, best_of…) are tolerated and forwarded.
import { z } from 'zod'
import { MaxCost, ProviderPreferences } from './chat-request.ts'

export const CompletionRequest = z.looseObject({
  model: z.string().min(1).optional(),
  models: z.array(z.string().min(1)).max(10).optional(),
  /** One prompt per request; `[prompt]` is accepted and unwrapped. */
  prompt: z.union([
    z.string(),
    z.array(z.string()).length(1, 'one prompt per request').transform(([p]) => p ?? ''),
  ]),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  repetition_penalty: z.number().min(0).max(2).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  /** Top-n log probabilities (a number here, unlike chat's boolean). */
  logprobs: z.number().int().min(0).max(5).nullish(),
  suffix: z.string().nullish(),
  user: z.string().nullish(),
  provider: ProviderPreferences.nullish(),
  route: z.enum(['fallback', 'sort']).nullish(),
  usage: z.looseObject({ include: z.boolean().optional() }).nullish(),
  transforms: z.array(z.string()).nullish(),
  max_cost: MaxCost.nullish(),
})
export type CompletionRequest = z.infer<typeof CompletionRequest>
