// PURE: a non-streaming chat answer written as its text arrives (api/spill-response.ts), as
// JSON that parses to the same object the assembled answer serializes to. The body's keys
// are reordered (JSON objects are unordered): the meta keys, then the first choice's
// message content as an open string the text is appended to, then every other key.
import type { CanonicalChunk } from '../providers/types.ts'

/** Keys written before the text: known when the answer commits (the generation's identity). */
const HEAD_KEYS = ['id', 'object', 'created', 'model', 'provider'] as const

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** One piece of text as it goes inside a JSON string. A lone surrogate is escaped, so halves split across pieces parse back to the pair. */
export const jsonText = (text: string): string => JSON.stringify(text).slice(1, -1)

/** The JSON up to the open content string of choice 0. */
export const spillHead = (body: Json): string => {
  const head = Object.fromEntries(HEAD_KEYS.filter((k) => k in body).map((k) => [k, body[k]]))
  return `${JSON.stringify(head).slice(0, -1)},"choices":[{"index":0,"message":{"content":"`
}

const rest = (o: Json, skip: readonly string[]): string => {
  let out = ''
  for (const key in o) if (!skip.includes(key) && o[key] !== undefined) out += `,${JSON.stringify(key)}:${JSON.stringify(o[key])}`
  return out
}

/**
 * The JSON after the text: the body as rendered at the end (its choice 0 content left out),
 * with `extra` top-level keys, and `finish` replacing choice 0's finish_reason (a failure).
 */
export const spillTail = (body: Json, extra?: Json, finish?: string): string => {
  const choices = Array.isArray(body.choices) ? body.choices.filter(isRecord) : []
  const [first, ...others] = choices
  const message = first && isRecord(first.message) ? first.message : {}
  const choice = first ? { ...first, ...(finish !== undefined ? { finish_reason: finish } : {}) } : {}
  let out = `"${rest(message, ['content'])}}${rest(choice, ['index', 'message'])}}`
  for (const c of others) out += `,${JSON.stringify(c)}`
  return `${out}]${rest({ ...body, ...extra }, [...HEAD_KEYS, 'choices'])}}`
}

/**
 * Splits choice 0's text off a chunk: the text to write, and what is left of the chunk to
 * assemble the rest of the answer from (undefined when nothing is: a plain text delta).
 */
export const splitText = (chunk: CanonicalChunk, seen: { upstreamId: boolean; fingerprint: boolean }): { text: string; left: CanonicalChunk | undefined } => {
  let text = ''
  let keep = chunk.usage != null || (chunk.upstreamId != null && !seen.upstreamId) || (chunk.systemFingerprint != null && !seen.fingerprint)
  const choices = chunk.choices.map((c) => {
    if (c.index !== 0) {
      keep = true
      return c
    }
    const { content, role: _role, ...delta } = c.delta
    if (typeof content === 'string') text = content
    if (c.finish_reason !== null || c.native_finish_reason !== null || c.logprobs != null || Object.keys(delta).length) keep = true
    return { ...c, delta }
  })
  if (chunk.upstreamId != null) seen.upstreamId = true
  if (chunk.systemFingerprint != null) seen.fingerprint = true
  return { text, left: keep ? { ...chunk, choices } : undefined }
}
