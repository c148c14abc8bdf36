// D1, the system of record (docs/storage.md). Money columns are INTEGER microdollars;
// times are INTEGER unix milliseconds. migrations/ is generated from this file by drizzle-kit.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { BUCKETS } from '../storage/histogram.ts'

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** 'active' or 'suspended' (a disputed payment suspends the account). */
  status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
  createdAt: integer('created_at').notNull(),
  /**
   * Prompt and completion storage (docs/storage.md#content-logging): 'opt_in' stores a request's
   * when its key or its X-Switchboard-Log-Content header asks, 'always' every request's, 'never' none.
   */
  contentLogging: text('content_logging', { enum: ['opt_in', 'always', 'never'] }).notNull().default('opt_in'),
  /** Days stored prompts and completions are kept. */
  contentRetentionDays: integer('content_retention_days').notNull().default(30),
})

export const apiKeys = sqliteTable(
  'api_keys',
  {
    /** SHA-256 hex of the key; the key itself is never stored. */
    hash: text('hash').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    name: text('name').notNull(),
    /** Masked key for display, e.g. `sk-sb-v1-3f2…9c1d`. */
    label: text('label').notNull(),
    kind: text('kind', { enum: ['inference', 'management'] }).notNull().default('inference'),
    limitMicro: integer('limit_micro'),
    limitReset: text('limit_reset', { enum: ['daily', 'weekly', 'monthly'] }),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    expiresAt: integer('expires_at'),
    /** Rate limits for this key; null = the configured default (0 = unlimited). */
    requestsPerMinute: integer('requests_per_minute'),
    tokensPerMinute: integer('tokens_per_minute'),
    concurrentRequests: integer('concurrent_requests'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at'),
    /** Store this key's prompts and completions (unless its account says 'never'). */
    logContent: integer('log_content', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('api_keys_account_idx').on(t.accountId)],
)

/**
 * One row per generation whose prompt and completion are stored in R2 (storage/content.ts):
 * no content here, only who may read it and when retention deletes it.
 */
export const contentLogs = sqliteTable(
  'content_logs',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('content_logs_expires_idx').on(t.expiresAt)],
)

/** Credits and debits other than usage: top-ups, refunds, grants, adjustments. Unique by external event id (I3). */
export const creditEvents = sqliteTable(
  'credit_events',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    amountMicro: integer('amount_micro').notNull(),
    kind: text('kind', { enum: ['topup', 'refund', 'grant', 'adjustment'] }).notNull(),
    reason: text('reason'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('credit_events_account_idx').on(t.accountId, t.createdAt)],
)

/**
 * Interned strings: an account id, key hash, model, provider or app appears in every
 * generation row and rollup as this table's integer id, never as text (docs/storage.md).
 * A writer is a recorder (src/objects/recorder.ts) that wrote generations in batches.
 * Rows are only ever added, so an id means the same string forever.
 */
export const names = sqliteTable(
  'names',
  {
    id: integer('id').primaryKey(),
    kind: text('kind', { enum: ['account', 'key', 'model', 'provider', 'app', 'writer'] }).notNull(),
    value: text('value').notNull(),
  },
  (t) => [uniqueIndex('names_kind_value_idx').on(t.kind, t.value)],
)

/**
 * One row per generation: the charge, and what the Logs view lists, in integers (names
 * interned; `*_n` = names.id, 0 = none). The details (attempts, user agent, finish reasons,
 * router metadata) are in R2, in the object of the flush `batch` (src/storage/details.ts).
 * Never prompts or completions (I5). Unique by id (I2). Pruned after the retention period.
 */
export const generations = sqliteTable(
  'generations',
  {
    id: text('id').primaryKey(),
    accountN: integer('account_n').notNull(),
    keyN: integer('key_n').notNull(),
    modelN: integer('model_n').notNull(),
    providerN: integer('provider_n').notNull().default(0),
    /** The app: referer and title together (src/storage/record.ts appName). */
    appN: integer('app_n').notNull().default(0),
    /** Index into API_TYPES (src/storage/record.ts). */
    apiType: integer('api_type').notNull().default(0),
    status: integer('status').notNull(),
    streamed: integer('streamed', { mode: 'boolean' }).notNull(),
    cancelled: integer('cancelled', { mode: 'boolean' }).notNull().default(false),
    tokensPrompt: integer('tokens_prompt').notNull().default(0),
    tokensCompletion: integer('tokens_completion').notNull().default(0),
    tokensReasoning: integer('tokens_reasoning').notNull().default(0),
    tokensCached: integer('tokens_cached').notNull().default(0),
    tokensCacheWrite: integer('tokens_cache_write').notNull().default(0),
    costMicro: integer('cost_micro').notNull(),
    latencyMs: integer('latency_ms'),
    /**
     * The batch that wrote it and its writer: together they name its R2 details object. The
     * writer is a recorder's name; 0 for batches an account gate wrote itself (before recorders),
     * whose object the account names. Batch null: migrated from generations_legacy.
     */
    batch: integer('batch'),
    writerN: integer('writer_n').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('generations_account_idx').on(t.accountN, t.createdAt)],
)

/**
 * Generations written before issue 14, with their details in the row (migration 0002).
 * Read by /generation for their details; pruned with the rest; never written.
 */
export const generationsLegacy = sqliteTable('generations_legacy', {
  id: text('id').primaryKey(),
  accountId: text('account_id').notNull(),
  keyHash: text('key_hash').notNull(),
  model: text('model').notNull(),
  providerId: text('provider_id'),
  providerName: text('provider_name'),
  region: text('region'),
  upstreamId: text('upstream_id'),
  apiType: text('api_type').notNull().default('completions'),
  streamed: integer('streamed', { mode: 'boolean' }).notNull(),
  cancelled: integer('cancelled', { mode: 'boolean' }).notNull().default(false),
  status: integer('status').notNull(),
  finishReason: text('finish_reason'),
  nativeFinishReason: text('native_finish_reason'),
  tokensPrompt: integer('tokens_prompt').notNull().default(0),
  tokensCompletion: integer('tokens_completion').notNull().default(0),
  tokensReasoning: integer('tokens_reasoning').notNull().default(0),
  tokensCached: integer('tokens_cached').notNull().default(0),
  tokensCacheWrite: integer('tokens_cache_write').notNull().default(0),
  costMicro: integer('cost_micro').notNull(),
  latencyMs: integer('latency_ms'),
  generationTimeMs: integer('generation_time_ms'),
  attempts: text('attempts', { mode: 'json' }).$type<unknown[]>().notNull().default(sql`'[]'`),
  httpReferer: text('http_referer'),
  appTitle: text('app_title'),
  userAgent: text('user_agent'),
  externalUser: text('external_user'),
  createdAt: integer('created_at').notNull(),
})

/**
 * One row per batch written, in the batch's own D1 transaction: a repeated batch (a crash
 * between D1's commit and its writer's note of it) fails on this key and changes nothing, so
 * rows and rollups are written exactly once. `account_n` is the writer's name: a recorder's
 * (kind writer), or an account's for batches its gate wrote itself before recorders.
 */
export const flushes = sqliteTable(
  'flushes',
  {
    accountN: integer('account_n').notNull(),
    batch: integer('batch').notNull(),
    rows: integer('rows').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountN, t.batch] })],
)

const histogramColumn = (name: string) => integer(name).notNull().default(0)
type HistogramColumns<P extends string> = Record<`${P}${number}`, ReturnType<typeof histogramColumn>>
/** One column per histogram bucket (src/storage/histogram.ts): `<prefix>_h0` … */
const histogram = <P extends string>(prefix: P): HistogramColumns<P> =>
  Object.fromEntries(Array.from({ length: BUCKETS }, (_, i) => [`${prefix}${i}`, histogramColumn(`${prefix}_h${i}`)])) as HistogramColumns<P>

/**
 * Usage per account × key × model × provider × app in one hour or one UTC day (`start`, ms),
 * kept up to date by each batch written, in its own transaction, so it always equals the sum of
 * the generations written. The views and the balance read these, never the generation rows;
 * never pruned. Errors: status ≥ 400. Latency and TTFT as sums and fixed histograms.
 */
const rollupTable = <N extends string>(name: N, byStart = false) =>
  sqliteTable(
    name,
    {
      accountN: integer('account_n').notNull(),
      start: integer('start').notNull(),
      keyN: integer('key_n').notNull(),
      modelN: integer('model_n').notNull(),
      providerN: integer('provider_n').notNull(),
      appN: integer('app_n').notNull(),
      requests: integer('requests').notNull().default(0),
      errors: integer('errors').notNull().default(0),
      cancelled: integer('cancelled').notNull().default(0),
      /** Requests that needed more than one upstream attempt (counted from migration 0005 on). */
      fallbacks: integer('fallbacks').notNull().default(0),
      tokensPrompt: integer('tokens_prompt').notNull().default(0),
      tokensCompletion: integer('tokens_completion').notNull().default(0),
      tokensReasoning: integer('tokens_reasoning').notNull().default(0),
      tokensCached: integer('tokens_cached').notNull().default(0),
      tokensCacheWrite: integer('tokens_cache_write').notNull().default(0),
      costMicro: integer('cost_micro').notNull().default(0),
      latencyMsSum: integer('latency_ms_sum').notNull().default(0),
      ttftMsSum: integer('ttft_ms_sum').notNull().default(0),
      ...histogram('latency'),
      ...histogram('ttft'),
    },
    (t) => [
      primaryKey({ columns: [t.accountN, t.start, t.keyN, t.modelN, t.providerN, t.appN] }),
      // Reads across accounts (/rankings) find a period's days without scanning every account's.
      ...(byStart ? [index(`${name}_start`).on(t.start)] : []),
    ],
  )

export const usageHourly = rollupTable('usage_hourly')
export const usageDaily = rollupTable('usage_daily', true)
export type RollupTable = typeof usageHourly | typeof usageDaily

export type AccountRow = typeof accounts.$inferSelect
export type ApiKeyRow = typeof apiKeys.$inferSelect
export type CreditEventRow = typeof creditEvents.$inferInsert
export type GenerationRow = typeof generations.$inferInsert
export type NameKind = (typeof names.$inferSelect)['kind']
