// PURE: the generation record, and the two halves it is stored as (docs/storage.md): the
// charge, a slim D1 row of integers with its strings interned, and the details, one JSON line
// in an R2 object. Settlement hands the account gate the whole record; /generation and the
// export put it back together.
import { z } from 'zod'
import type { NameKind } from '../db/schema.ts'
import type { ApiType } from '../skins/skin.ts'

/** api_type as D1 stores it: the index in this list. Append only. */
export const API_TYPES = ['completions', 'embeddings', 'messages', 'responses'] as const satisfies readonly ApiType[]
/** Every ApiType must have a code: adding a skin's api_type without one fails here. */
const allCoded: Exclude<ApiType, (typeof API_TYPES)[number]> extends never ? true : never = true
void allCoded

export const apiTypeCode = (t: string | undefined): number => Math.max(API_TYPES.indexOf(t as ApiType), 0)
export const apiTypeOf = (code: number): ApiType => API_TYPES[code] ?? 'completions'

const opt = <T extends z.ZodType>(t: T) => t.nullable().optional()

/** The details: everything a charge does not need, stored in R2 and read back on demand. */
export const DetailsSchema = z.object({
  id: z.string(),
  providerName: opt(z.string()),
  region: opt(z.string()),
  upstreamId: opt(z.string()),
  finishReason: opt(z.string()),
  nativeFinishReason: opt(z.string()),
  generationTimeMs: opt(z.number()),
  /** Time to the first token (or the whole answer's first byte when not streamed), ms. */
  ttftMs: opt(z.number()),
  /** Every upstream attempt: provider, endpoint, status, latency, error (routing/attempt.ts AttemptRecord). */
  attempts: z.array(z.unknown()).optional(),
  httpReferer: opt(z.string()),
  appTitle: opt(z.string()),
  userAgent: opt(z.string()),
  externalUser: opt(z.string()),
  /** How the request was routed (routing/metadata.ts routerMetadata). */
  router: z.unknown().optional(),
})
export type Details = z.infer<typeof DetailsSchema>

/** What settlement records for one generation (metadata only, never content: I5). */
export const GenerationRecordSchema = DetailsSchema.extend({
  accountId: z.string(),
  keyHash: z.string(),
  model: z.string(),
  providerId: opt(z.string()),
  apiType: z.enum(API_TYPES).optional(),
  streamed: z.boolean(),
  cancelled: z.boolean().optional(),
  status: z.number().int(),
  tokensPrompt: z.number().int().optional(),
  tokensCompletion: z.number().int().optional(),
  tokensReasoning: z.number().int().optional(),
  tokensCached: z.number().int().optional(),
  tokensCacheWrite: z.number().int().optional(),
  costMicro: z.number().int(),
  latencyMs: opt(z.number()),
  createdAt: z.number(),
})
export type GenerationRecord = z.infer<typeof GenerationRecordSchema>

/** A stored generation put back together: every field present (null when unknown), as /generation and the export read it. */
export interface StoredGeneration {
  id: string
  accountId: string
  keyHash: string
  model: string
  providerId: string | null
  providerName: string | null
  region: string | null
  upstreamId: string | null
  apiType: ApiType
  streamed: boolean
  cancelled: boolean
  status: number
  finishReason: string | null
  nativeFinishReason: string | null
  tokensPrompt: number
  tokensCompletion: number
  tokensReasoning: number
  tokensCached: number
  tokensCacheWrite: number
  costMicro: number
  latencyMs: number | null
  generationTimeMs: number | null
  ttftMs: number | null
  attempts: unknown[]
  httpReferer: string | null
  appTitle: string | null
  userAgent: string | null
  externalUser: string | null
  router: unknown
  createdAt: number
}

/** A charge as D1 holds it, with its names read back (db/queries/generations.ts). */
export interface Charge {
  id: string
  accountId: string
  keyHash: string
  model: string
  providerId: string | null
  /** The interned app: [referer, title]. */
  app: string | null
  apiType: number
  status: number
  streamed: boolean
  cancelled: boolean
  tokensPrompt: number
  tokensCompletion: number
  tokensReasoning: number
  tokensCached: number
  tokensCacheWrite: number
  costMicro: number
  latencyMs: number | null
  batch: number | null
  /** The recorder that wrote its batch; null when its account's gate did (before recorders). */
  writer: string | null
  createdAt: number
}

/** Longest referer or title kept in the app's name (a client picks them: this bounds what one can make D1 hold). */
const APP_PART_MAX = 256

/** The app a generation is attributed to, as one interned value: JSON [referer, title]; null without either. */
export const appName = (referer: string | null | undefined, title: string | null | undefined): string | null =>
  referer == null && title == null ? null : JSON.stringify([referer?.slice(0, APP_PART_MAX) ?? null, title?.slice(0, APP_PART_MAX) ?? null])

export const appParts = (app: string | null): { referer: string | null; title: string | null } => {
  if (app === null) return { referer: null, title: null }
  const parsed = z.tuple([z.string().nullable(), z.string().nullable()]).safeParse(JSON.parse(app))
  return parsed.success ? { referer: parsed.data[0], title: parsed.data[1] } : { referer: null, title: null }
}

export interface NameRef {
  kind: NameKind
  value: string
}

/** One map key per (kind, value). */
export const nameKey = (ref: NameRef): string => `${ref.kind}\u0000${ref.value}`

/** The names a record's charge refers to (provider and app only when it has them). */
export const namesOf = (r: GenerationRecord): NameRef[] => {
  const app = appName(r.httpReferer, r.appTitle)
  return [
    { kind: 'account', value: r.accountId },
    { kind: 'key', value: r.keyHash },
    { kind: 'model', value: r.model },
    ...(r.providerId ? [{ kind: 'provider' as const, value: r.providerId }] : []),
    ...(app !== null ? [{ kind: 'app' as const, value: app }] : []),
  ]
}

export const detailsOf = (r: GenerationRecord): Details => ({
  id: r.id,
  providerName: r.providerName ?? null,
  region: r.region ?? null,
  upstreamId: r.upstreamId ?? null,
  finishReason: r.finishReason ?? null,
  nativeFinishReason: r.nativeFinishReason ?? null,
  generationTimeMs: r.generationTimeMs ?? null,
  ttftMs: r.ttftMs ?? null,
  attempts: r.attempts ?? [],
  httpReferer: r.httpReferer ?? null,
  appTitle: r.appTitle ?? null,
  userAgent: r.userAgent ?? null,
  externalUser: r.externalUser ?? null,
  ...(r.router !== undefined ? { router: r.router } : {}),
})

/** A charge and its details (null when they are gone or not written yet) as one generation. */
export const joinGeneration = (c: Charge, d: Details | null): StoredGeneration => {
  const app = appParts(c.app)
  return {
    id: c.id,
    accountId: c.accountId,
    keyHash: c.keyHash,
    model: c.model,
    providerId: c.providerId,
    providerName: d?.providerName ?? null,
    region: d?.region ?? null,
    upstreamId: d?.upstreamId ?? null,
    apiType: apiTypeOf(c.apiType),
    streamed: c.streamed,
    cancelled: c.cancelled,
    status: c.status,
    finishReason: d?.finishReason ?? null,
    nativeFinishReason: d?.nativeFinishReason ?? null,
    tokensPrompt: c.tokensPrompt,
    tokensCompletion: c.tokensCompletion,
    tokensReasoning: c.tokensReasoning,
    tokensCached: c.tokensCached,
    tokensCacheWrite: c.tokensCacheWrite,
    costMicro: c.costMicro,
    latencyMs: c.latencyMs,
    generationTimeMs: d?.generationTimeMs ?? null,
    ttftMs: d?.ttftMs ?? null,
    attempts: d?.attempts ?? [],
    // The details keep them whole; the app's name, cut to 256 characters, stands in when they are gone.
    httpReferer: d ? d.httpReferer ?? null : app.referer,
    appTitle: d ? d.appTitle ?? null : app.title,
    userAgent: d?.userAgent ?? null,
    externalUser: d?.externalUser ?? null,
    router: d?.router ?? null,
    createdAt: c.createdAt,
  }
}
