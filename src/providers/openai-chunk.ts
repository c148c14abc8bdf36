// The common OpenAI stream event, one choice's text delta, read without the zod schema.
// A long answer is thousands of these, and the schema's walk was most of its cost; the
// check below accepts only events the schema accepts and maps them exactly as
// fromUpstreamEvent does (test/unit/providers/openai-chunk.test.ts compares the two).
// Anything else (usage, errors, tool calls, reasoning, refusals, logprobs, a finish)
// returns undefined and takes the schema's path.
import type { CanonicalChunk } from './types.ts'
import { isRecord } from '../lib/json.ts'

const isOptionalString = (v: unknown): v is string | null | undefined => v == null || typeof v === 'string'

export const plainTextChunk = (json: unknown): CanonicalChunk | undefined => {
  if (!isRecord(json) || json.usage != null || json.error != null) return undefined
  const { id, system_fingerprint: fingerprint, choices } = json
  if (!isOptionalString(id) || !isOptionalString(fingerprint) || !Array.isArray(choices) || choices.length !== 1) return undefined
  const choice: unknown = choices[0]
  if (!isRecord(choice) || choice.finish_reason != null || choice.logprobs != null) return undefined
  const { index, delta } = choice
  if (typeof index !== 'number' || !Number.isInteger(index) || !isRecord(delta)) return undefined
  const { role, content } = delta
  if (!isOptionalString(role) || !isOptionalString(content)) return undefined
  if (delta.refusal != null || delta.reasoning != null || delta.reasoning_content != null || delta.tool_calls != null) return undefined
  return {
    choices: [{
      index,
      delta: { ...(role === 'assistant' ? { role: 'assistant' as const } : {}), ...(content != null ? { content } : {}) },
      finish_reason: null,
      native_finish_reason: null,
      logprobs: null,
    }],
    ...(id ? { upstreamId: id } : {}),
    ...(fingerprint ? { systemFingerprint: fingerprint } : {}),
  }
}
