// The key provisioning API's request shapes (docs/compatibility.md#keys), shared with the operator API.
import { z } from 'zod'

/** USD, as the API shows money; stored as integer microdollars. */
const dollars = z.number().finite().min(0).max(1_000_000_000)
export const KeyName = z.string().trim().min(1).max(200)
const LimitReset = z.enum(['daily', 'weekly', 'monthly'])

export const CreateKeyBody = z.object({
  name: KeyName,
  limit: dollars.nullish(),
  limit_reset: LimitReset.nullish(),
  expires_at: z.iso.datetime({ offset: true }).nullish(),
  /** Accepted for compatibility; Switchboard has no BYOK, so there is nothing to include. */
  include_byok_in_limit: z.boolean().optional(),
  /** Store this key's prompts and completions (docs/storage.md#content-logging). */
  log_content: z.boolean().optional(),
})
export type CreateKeyBody = z.infer<typeof CreateKeyBody>

export const UpdateKeyBody = z.object({
  name: KeyName.optional(),
  disabled: z.boolean().optional(),
  limit: dollars.nullish(),
  limit_reset: LimitReset.nullish(),
  include_byok_in_limit: z.boolean().optional(),
  log_content: z.boolean().optional(),
})
export type UpdateKeyBody = z.infer<typeof UpdateKeyBody>

export const ListKeysQuery = z.object({
  include_disabled: z.enum(['true', 'false']).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})

/** Path parameter: a key's SHA-256 hex. */
export const KeyHash = z.string().regex(/^[0-9a-f]{64}$/)
