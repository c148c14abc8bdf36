// `debug: {echo_upstream_body: true}` on a streamed chat request: the first data event
// shows the body the serving provider was sent, to debug a translation. Only the body is
// shown, never headers (where provider keys travel). Secrets and key-shaped text, user
// ids and inline base64 data (images, files, encrypted reasoning) are redacted from it.
import { REDACTED, redactDeep, type Redact } from '../lib/redact.ts'

/** Fields that identify an end user: OpenAI's `user`/`safety_identifier`, Anthropic's `metadata.user_id`. */
const USER_FIELDS = new Set(['user', 'user_id', 'safety_identifier'])

const DATA_URL = /^data:([^,;]*)[^,]*;base64,(.*)$/s
/** Inline base64 payloads: Anthropic `source.data` and `redacted_thinking.data`, Gemini `inlineData.data`. */
const BASE64_FIELDS = new Set(['data', 'file_data'])
const BASE64 = /^[A-Za-z0-9+/=_-]{64,}$/

const elided = (chars: number) => `[base64, ${chars} characters]`

const scrub = (value: unknown, key: string | undefined, depth: number): unknown => {
  if (typeof value === 'string') {
    if (key !== undefined && USER_FIELDS.has(key)) return REDACTED
    const url = DATA_URL.exec(value)
    if (url) return `data:${url[1]};base64,${elided(url[2]?.length ?? 0)}`
    if (key !== undefined && BASE64_FIELDS.has(key) && BASE64.test(value)) return elided(value.length)
    return value
  }
  // The body is JSON the gateway built; the bound only guards the recursion.
  if (depth > 64 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => scrub(v, undefined, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k, depth + 1)]))
}

/** The upstream request body as the debug chunk shows it: parsed JSON, scrubbed, then redacted. */
export const echoedUpstreamBody = (body: string, redact: Redact): unknown => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return redact(body)
  }
  return redactDeep(scrub(json, undefined, 0), redact)
}
