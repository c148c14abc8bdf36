// OpenAI chat-completions wire bodies as zod schemas, loose where hosts add fields.
// @see https://platform.openai.com/docs/api-reference/chat
import { z } from 'zod'

export const OpenAIUsage = z.looseObject({
  prompt_tokens: z.number().int().nonnegative().nullish(),
  completion_tokens: z.number().int().nonnegative().nullish(),
  total_tokens: z.number().int().nonnegative().nullish(),
  prompt_tokens_details: z
    .looseObject({ cached_tokens: z.number().nullish(), cache_write_tokens: z.number().nullish() })
    .nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  /** DeepSeek reports cache hits here. */
  prompt_cache_hit_tokens: z.number().nullish(),
})
export type OpenAIUsage = z.infer<typeof OpenAIUsage>

const ToolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function').catch('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string().catch('') }),
})

export const OpenAIResponse = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  system_fingerprint: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().int().default(0),
      message: z.looseObject({
        content: z.string().nullish(),
        refusal: z.string().nullish(),
        /** OpenRouter and Groq use `reasoning`; DeepSeek and vLLM `reasoning_content`. */
        reasoning: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        tool_calls: z.array(ToolCall).nullish(),
      }),
      finish_reason: z.string().nullish(),
      logprobs: z.unknown().optional(),
    }),
  ),
  usage: OpenAIUsage.nullish(),
})

const ToolCallDelta = z.looseObject({
  index: z.number().int(),
  id: z.string().nullish(),
  type: z.literal('function').nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
})

export const OpenAIChunk = z.looseObject({
  id: z.string().nullish(),
  system_fingerprint: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().default(0),
        delta: z
          .looseObject({
            role: z.string().nullish(),
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            reasoning: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            tool_calls: z.array(ToolCallDelta).nullish(),
          })
          .default({}),
        finish_reason: z.string().nullish(),
        logprobs: z.unknown().optional(),
      }),
    )
    .default([]),
  usage: OpenAIUsage.nullish(),
  error: z.looseObject({ message: z.string().optional(), code: z.unknown().optional(), type: z.string().nullish() }).nullish(),
})

export const OpenAIError = z.looseObject({
  error: z.union([
    z.looseObject({ message: z.string().nullish(), type: z.string().nullish(), code: z.unknown().optional() }),
    z.string(),
  ]),
})

/** POST /embeddings. @see https://platform.openai.com/docs/api-reference/embeddings/object */
export const OpenAIEmbeddingsResponse = z.looseObject({
  id: z.string().nullish(),
  data: z.array(z.looseObject({ index: z.number().int().nonnegative().optional(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.looseObject({ prompt_tokens: z.number().int().nonnegative().nullish() }).nullish(),
})

/** Legacy POST /completions (JSON and stream chunks share the shape). @see https://platform.openai.com/docs/api-reference/completions/object */
export const OpenAICompletion = z.looseObject({
  id: z.string().nullish(),
  system_fingerprint: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().default(0),
        text: z.string().nullish(),
        finish_reason: z.string().nullish(),
        logprobs: z.unknown().optional(),
      }),
    )
    .default([]),
  usage: OpenAIUsage.nullish(),
  error: z.looseObject({ message: z.string().optional(), code: z.unknown().optional(), type: z.string().nullish() }).nullish(),
})
