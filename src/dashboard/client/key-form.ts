// The key forms' fields (Keys page): limit resets, and the form values as the keys API takes them.

export const LIMIT_RESETS = [
  { value: '', label: 'Never' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'monthly', label: 'Monthly' },
] as const

/** The limit field in USD: empty means no limit. */
export const limitOf = (form: FormData) => {
  const raw = String(form.get('limit') ?? '').trim()
  return raw === '' ? null : Number(raw)
}

export const resetOf = (form: FormData) => String(form.get('limit_reset') ?? '') || null
