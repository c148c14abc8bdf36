// Secrets out of anything an upstream said: a provider that quotes the key it was
// sent ("Incorrect API key provided: sk-…") must not have it relayed to a client,
// stored in a generation record or logged. Configured secrets are matched exactly;
// anything shaped like a bearer key is matched by pattern, so keys the gateway does
// not know (a misconfigured base URL's, a user's pasted into a prompt) go too.

export const REDACTED = '[REDACTED]'

export type Redact = (text: string) => string

/** Shorter configured values (placeholders such as "none" for a local server) are not secrets, and matching them would mangle text. */
export const MIN_SECRET_LENGTH = 8

/** Env names whose values are secrets: every provider's `<ID>_API_KEY`, the webhook secrets, Stripe's secret key and the admin token. */
const SECRET_NAME = /(?:_API_KEY|_SECRET|_SECRET_KEY|_TOKEN)$/

/** The secret values of an env (or any name → value record), longest first so a key containing another goes whole. */
export const secretsIn = (env: object): string[] => {
  const values = new Set<string>()
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME.test(name) && typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) values.add(value)
  }
  return [...values].sort((a, b) => b.length - a.length)
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Key shapes by prefix: OpenAI and OpenRouter (`sk-`, `sk-proj-`, `sk-or-v1-`, and Switchboard's own
 * `sk-sb-v1-`), Anthropic (`sk-ant-`), Stripe (`sk_`, `rk_`, `whsec_`), Groq, xAI, Perplexity,
 * Hugging Face, Replicate, NVIDIA, Cerebras, Fireworks, Together, GitHub, and Google (`AIza`, `ya29.`).
 * `*` is a key character so a partly masked echo (`sk-proj-****Ab1C`) goes whole.
 */
const PREFIXED = /(?<![A-Za-z0-9])(?:sk-|sk_|rk_|whsec_|gsk_|xai-|pplx-|hf_|r8_|nvapi-|csk-|fw_|tgp_|ghp_|gho_|github_pat_|AIza|ya29\.)[A-Za-z0-9_*-]{8,}/g

/** An Authorization value. Its token must look random (a digit, or mixed case), so prose ("Basic authentication") stays. */
const AUTHORIZATION = /\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=*-]{8,})/gi
const looksRandom = (token: string) => /[0-9]/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token))

/** A key passed in a query string (`?key=…`, Gemini's style). */
const QUERY_KEY = /([?&](?:key|api[_-]?key|access_token|token)=)[^&\s"'<>]+/gi

/**
 * Long runs of letters and digits (hex, base62): random keys without a known prefix. 32 leaves
 * generation ids (20 random characters), upstream request ids and UUID groups alone.
 */
const OPAQUE = /(?<![A-Za-z0-9])[A-Za-z0-9]{32,}(?![A-Za-z0-9])/g
const isOpaque = (run: string) => /[0-9]/.test(run) && /[A-Za-z]/.test(run)

/** Key-shaped text only, with no configured secrets (e.g. for text whose env is not at hand). */
export const redactPatterns: Redact = (text) =>
  text
    .replace(PREFIXED, REDACTED)
    .replace(AUTHORIZATION, (all, scheme: string, space: string, token: string) => (looksRandom(token) ? `${scheme}${space}${REDACTED}` : all))
    .replace(QUERY_KEY, `$1${REDACTED}`)
    .replace(OPAQUE, (run) => (isOpaque(run) ? REDACTED : run))

/** A redactor for a fixed set of secrets: built once (one regular expression), then applied to any text. */
export const redactor = (secrets: readonly string[]): Redact => {
  const usable = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length)
  if (usable.length === 0) return redactPatterns
  // Configured secrets first, on their own: a pattern match could otherwise take part of one and leave the rest.
  const exact = new RegExp(usable.map(escape).join('|'), 'g')
  return (text) => redactPatterns(text.replace(exact, REDACTED))
}

/** Every string in a JSON-like value (object keys too), redacted; other values as they are. */
export const redactDeep = (value: unknown, redact: Redact, depth = 0): unknown => {
  if (typeof value === 'string') return redact(value)
  // Parsed JSON is a tree; the bound only guards against a hostile nesting depth.
  if (depth > 64 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact, depth + 1)]))
}

/** An upstream failure with its message, code and raw body redacted. */
export const redactError = <E extends { message: string; code?: string; raw?: unknown }>(error: E, redact: Redact): E => ({
  ...error,
  message: redact(error.message),
  ...(error.code !== undefined ? { code: redact(error.code) } : {}),
  ...(error.raw !== undefined ? { raw: redactDeep(error.raw, redact) } : {}),
})

const byEnv = new WeakMap<object, Redact>()

/** The redactor of an env's secrets, built once per env object (so once per isolate), not per request. */
export const redactorOf = (env: object): Redact => {
  let redact = byEnv.get(env)
  if (!redact) {
    redact = redactor(secretsIn(env))
    byEnv.set(env, redact)
  }
  return redact
}
