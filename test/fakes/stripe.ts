// A fake api.stripe.com: POST /v1/checkout/sessions as Stripe answers it (a form-encoded request,
// Bearer auth with the secret key; a session with its hosted-page url, or Stripe's error envelope).
// Only the one secret key the workers tests configure is accepted.
// @see https://docs.stripe.com/api/checkout/sessions/create

/** The STRIPE_SECRET_KEY of the workers tests (vitest.config.ts). */
export const FAKE_STRIPE_SECRET_KEY = 'sk_test_switchboard_fake_0123456789'

const stripeError = (status: number, type: string, code: string, message: string) =>
  Response.json({ error: { type, code, message } }, { status })

const REQUIRED = ['mode', 'line_items[0][price_data][currency]', 'line_items[0][price_data][unit_amount]', 'line_items[0][quantity]', 'success_url']

export const stripeUpstream = async (request: Request): Promise<Response> => {
  const url = new URL(request.url)
  if (request.method !== 'POST' || url.pathname !== '/v1/checkout/sessions') return stripeError(404, 'invalid_request_error', 'resource_missing', `Unrecognized request URL (${request.method}: ${url.pathname})`)
  const auth = request.headers.get('authorization') ?? ''
  if (auth !== `Bearer ${FAKE_STRIPE_SECRET_KEY}`) {
    // Stripe quotes a masked key back: the gateway must not relay it.
    const masked = auth.replace(/^Bearer (\w{8})\w*(\w{4})$/, '$1****$2')
    return stripeError(401, 'invalid_request_error', 'api_key_invalid', `Invalid API Key provided: ${masked}`)
  }
  if (!(request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    return stripeError(400, 'invalid_request_error', 'parameter_invalid', 'Stripe takes form-encoded bodies')
  }
  const form = new URLSearchParams(await request.text())
  const missing = REQUIRED.find((k) => !form.get(k))
  if (missing) return stripeError(400, 'invalid_request_error', 'parameter_missing', `Missing required param: ${missing}.`)
  const amount = Number(form.get('line_items[0][price_data][unit_amount]'))
  if (!Number.isSafeInteger(amount) || amount < 50) return stripeError(400, 'invalid_request_error', 'amount_too_small', 'Amount must be at least $0.50 usd')
  const id = `cs_test_${crypto.randomUUID().replaceAll('-', '')}`
  const metadata = Object.fromEntries([...form].filter(([k]) => /^metadata\[[^\]]+\]$/.test(k)).map(([k, v]) => [k.slice(9, -1), v]))
  return Response.json({
    id,
    object: 'checkout.session',
    mode: form.get('mode'),
    amount_total: amount * Number(form.get('line_items[0][quantity]')),
    currency: form.get('line_items[0][price_data][currency]'),
    client_reference_id: form.get('client_reference_id'),
    metadata,
    payment_status: 'unpaid',
    status: 'open',
    success_url: form.get('success_url'),
    cancel_url: form.get('cancel_url'),
    url: `https://checkout.stripe.com/c/pay/${id}`,
  })
}
