// Shared by every adapter: reading an upstream's error body and stream events into
// ProviderErrors, so each adapter only says where its protocol keeps message and code.
import type { z } from 'zod'
import type { ProviderError } from './types.ts'

/** Raw bodies kept for `metadata.raw` are cut to this many characters. */
const RAW_LIMIT = 2000

/** An error body as JSON (or, failing that, its text) and the protocol's parse of it, if it fits. */
export const readErrorBody = <S extends z.ZodType>(text: string, schema: S, pick: (raw: unknown) => unknown = (raw) => raw) => {
  try {
    const raw: unknown = JSON.parse(text)
    const parsed = schema.safeParse(pick(raw))
    return { raw, body: parsed.success ? (parsed.data as z.infer<S>) : undefined }
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the text.
    return { raw: text.slice(0, RAW_LIMIT) as unknown, body: undefined }
  }
}

export const providerError = (
  status: number,
  raw: unknown,
  found: { message?: string | null | undefined; code?: string | null | undefined },
  retryAfter?: number,
): ProviderError => ({
  status,
  message: found.message ?? `Upstream returned HTTP ${status}`,
  raw,
  ...(found.code ? { code: found.code } : {}),
  ...(retryAfter !== undefined ? { retryAfter } : {}),
})

/** One SSE data payload parsed and validated; a malformed or unexpected event is a 502 for the stream. */
export const parseEventData = <S extends z.ZodType>(data: string, schema: S):
  { ok: true; json: unknown; value: z.infer<S> } | { ok: false; error: ProviderError } => {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { ok: false, error: { status: 502, message: 'Upstream sent a malformed stream event' } }
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) return { ok: false, error: { status: 502, message: 'Upstream sent an unexpected stream event', raw: json } }
  return { ok: true, json, value: parsed.data as z.infer<S> }
}
