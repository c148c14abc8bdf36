// Request shapes of the money paths: the generic top-up callback and the operator's
// account and credit commands. Amounts are USD numbers, rounded to whole microdollars.
import { z } from 'zod'
import { CreateKeyBody } from './keys.ts'

const usd = z.number().finite().min(-1_000_000_000).max(1_000_000_000)
const nonZero = usd.refine((n) => n !== 0, 'must not be zero')
/** External ids become credit event ids: printable and bounded. */
const eventId = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 printable ASCII characters without spaces')
const reason = z.string().trim().min(1).max(500)

/** `POST /webhooks/topup` (docs/billing.md): negative amounts debit. */
export const TopupBody = z.object({
  id: eventId,
  account_id: z.string().min(1).max(200),
  amount_usd: nonZero,
})

export const CreateAccountBody = z.object({
  name: z.string().trim().min(1).max(200),
  credit_usd: usd.positive().optional(),
  reason: reason.optional(),
})

export const AdminKeyBody = CreateKeyBody.extend({
  name: CreateKeyBody.shape.name.default('default'),
  kind: z.enum(['inference', 'management']).default('inference'),
})

export const CreditBody = z.object({
  amount_usd: nonZero,
  reason,
  /** grant (default for positive amounts) or adjustment (default for negative ones). */
  kind: z.enum(['grant', 'adjustment']).optional(),
  /** Makes a retried command credit once; generated when absent. */
  id: eventId.optional(),
})

export const SetKeyDisabledBody = z.object({ disabled: z.boolean() })
