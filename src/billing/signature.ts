// PURE (Web Crypto only): the webhook signature scheme Stripe uses, which the generic
// top-up callback shares: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
// several v1 allowed (secret rotation), a 5-minute tolerance against replays.
// @see https://docs.stripe.com/webhooks#verify-manually

const encoder = new TextEncoder()

/** Stripe's default tolerance, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300

export type SignatureFailure = 'missing' | 'malformed' | 'mismatch' | 'stale'

export type SignatureResult = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure }

export interface ParsedSignature {
  timestamp: number
  signatures: string[]
}

/** `t=…,v1=…,v1=…` → its timestamp and v1 signatures; other schemes (v0) are ignored. */
export const parseSignatureHeader = (header: string): ParsedSignature | null => {
  let timestamp: number | null = null
  const signatures: string[] = []
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value)
    if (name === 'v1') signatures.push(value)
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures }
}

const hmacKey = (secret: string, usage: 'sign' | 'verify') =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage])

const fromHex = (hex: string): Uint8Array<ArrayBuffer> | null => {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

/** The header a sender puts on `payload` (tests, docs, and any caller of the generic callback). */
export const signatureHeader = async (payload: string, secret: string, timestamp: number): Promise<string> => {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(`${timestamp}.${payload}`))
  return `t=${timestamp},v1=${Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/**
 * Checks `header` against the raw `payload`. The comparison is Web Crypto's HMAC
 * verify, which is constant-time; nothing about the secret or the expected value
 * is returned, only why the check failed.
 */
export const verifySignature = async (input: {
  payload: string
  header: string | undefined
  secret: string
  nowMs: number
  toleranceSeconds?: number
}): Promise<SignatureResult> => {
  if (!input.header) return { ok: false, reason: 'missing' }
  const parsed = parseSignatureHeader(input.header)
  if (!parsed) return { ok: false, reason: 'malformed' }
  const key = await hmacKey(input.secret, 'verify')
  const signed = encoder.encode(`${parsed.timestamp}.${input.payload}`)
  let matched = false
  for (const candidate of parsed.signatures) {
    const bytes = fromHex(candidate)
    if (bytes && bytes.length === 32 && (await crypto.subtle.verify('HMAC', key, bytes, signed))) matched = true
  }
  if (!matched) return { ok: false, reason: 'mismatch' }
  // Checked after the signature, so a stale-but-authentic event is told apart from a forged one.
  const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS
  if (Math.abs(Math.floor(input.nowMs / 1000) - parsed.timestamp) > tolerance) return { ok: false, reason: 'stale' }
  return { ok: true, timestamp: parsed.timestamp }
}
