// Gemini API wire bodies (generateContent / streamGenerateContent) as zod schemas.
// Requests are what the gemini adapter builds; responses are loose, because
// Google adds fields (safetyRatings, citationMetadata, avgLogprobs…) freely.
// @see https://ai.google.dev/api/generate-content
import { z } from 'zod'

// --- request -------------------------------------------------------------------

/** The OpenAPI-subset schema Gemini takes for parameters and responseSchema. @see https://ai.google.dev/api/caching#Schema */
export type GeminiSchema = { [key: string]: unknown }
export const GeminiSchema: z.ZodType<GeminiSchema> = z.record(z.string(), z.unknown())

export const GeminiPart = z.union([
  z.object({ text: z.string(), thought: z.boolean().optional(), thoughtSignature: z.string().optional() }),
  z.object({ inlineData: z.object({ mimeType: z.string(), data: z.string() }) }),
  z.object({ fileData: z.object({ mimeType: z.string().optional(), fileUri: z.string() }) }),
  z.object({
    functionCall: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()).optional() }),
    thoughtSignature: z.string().optional(),
  }),
  z.object({ functionResponse: z.object({ name: z.string(), response: z.record(z.string(), z.unknown()) }) }),
])
export type GeminiPart = z.infer<typeof GeminiPart>

export const GeminiContent = z.object({ role: z.enum(['user', 'model']), parts: z.array(GeminiPart).min(1) })
export type GeminiContent = z.infer<typeof GeminiContent>

export const GeminiFunctionDeclaration = z.object({
  name: z.string(),
  description: z.string().optional(),
  parameters: GeminiSchema.optional(),
})

export const GeminiThinkingConfig = z.object({
  thinkingBudget: z.number().int().nonnegative().optional(),
  includeThoughts: z.boolean().optional(),
})

export const GeminiGenerationConfig = z.object({
  temperature: z.number().optional(),
  topP: z.number().optional(),
  topK: z.number().int().optional(),
  maxOutputTokens: z.number().int().optional(),
  stopSequences: z.array(z.string()).optional(),
  seed: z.number().int().optional(),
  presencePenalty: z.number().optional(),
  frequencyPenalty: z.number().optional(),
  responseMimeType: z.string().optional(),
  responseSchema: GeminiSchema.optional(),
  thinkingConfig: GeminiThinkingConfig.optional(),
})
export type GeminiGenerationConfig = z.infer<typeof GeminiGenerationConfig>

export const GeminiRequest = z.object({
  contents: z.array(GeminiContent),
  systemInstruction: z.object({ parts: z.array(z.object({ text: z.string() })) }).optional(),
  tools: z.array(z.object({ functionDeclarations: z.array(GeminiFunctionDeclaration) })).optional(),
  toolConfig: z
    .object({
      functionCallingConfig: z.object({
        mode: z.enum(['AUTO', 'ANY', 'NONE']),
        allowedFunctionNames: z.array(z.string()).optional(),
      }),
    })
    .optional(),
  generationConfig: GeminiGenerationConfig.optional(),
})
export type GeminiRequest = z.infer<typeof GeminiRequest>

// --- response ------------------------------------------------------------------

const ResponsePart = z.looseObject({
  text: z.string().nullish(),
  /** true on thought-summary text (only sent with thinkingConfig.includeThoughts). */
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: z.looseObject({ id: z.string().nullish(), name: z.string(), args: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  inlineData: z.looseObject({ mimeType: z.string(), data: z.string() }).nullish(),
})
export type GeminiResponsePart = z.infer<typeof ResponsePart>

export const GeminiUsage = z.looseObject({
  promptTokenCount: z.number().int().nonnegative().nullish(),
  candidatesTokenCount: z.number().int().nonnegative().nullish(),
  totalTokenCount: z.number().int().nonnegative().nullish(),
  cachedContentTokenCount: z.number().int().nonnegative().nullish(),
  thoughtsTokenCount: z.number().int().nonnegative().nullish(),
  /** Prompt tokens spent on tool use (e.g. search, code execution); billed as input. */
  toolUsePromptTokenCount: z.number().int().nonnegative().nullish(),
})
export type GeminiUsage = z.infer<typeof GeminiUsage>

const Candidate = z.looseObject({
  // A candidate blocked before it produced anything has no content at all.
  content: z.looseObject({ role: z.string().nullish(), parts: z.array(ResponsePart).nullish() }).nullish(),
  finishReason: z.string().nullish(),
  index: z.number().int().nullish(),
})

/** One generateContent response, and equally one streamGenerateContent SSE event. */
export const GeminiResponse = z.looseObject({
  candidates: z.array(Candidate).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: GeminiUsage.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
})
export type GeminiResponse = z.infer<typeof GeminiResponse>

// --- embeddings ----------------------------------------------------------------

/** @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents */
export const GeminiBatchEmbedRequest = z.object({
  requests: z.array(z.object({
    model: z.string(),
    content: z.object({ parts: z.array(z.object({ text: z.string() })) }),
    taskType: z.string().optional(),
    outputDimensionality: z.number().int().positive().optional(),
  })),
})
export type GeminiBatchEmbedRequest = z.infer<typeof GeminiBatchEmbedRequest>

/** AI Studio returns no usage here; Vertex-style `usageMetadata` is read when present. */
export const GeminiBatchEmbedResponse = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
  usageMetadata: z.looseObject({ promptTokenCount: z.number().int().nonnegative().nullish() }).nullish(),
})

// --- errors --------------------------------------------------------------------

/** google.rpc.Status. `details` may hold RetryInfo {retryDelay: "37s"} and ErrorInfo {reason}. @see https://ai.google.dev/gemini-api/docs/troubleshooting */
export const GeminiErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.number().int().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z.array(z.looseObject({ '@type': z.string().nullish(), retryDelay: z.string().nullish(), reason: z.string().nullish() })).nullish(),
  }),
})
export type GeminiErrorBody = z.infer<typeof GeminiErrorBody>
