// Redaction: configured secrets and key-shaped text leave, ordinary error text stays.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REDACTED, redactDeep, redactError, redactor, redactorOf, redactPatterns, secretsIn } from '../../../src/lib/redact.ts'

const KEY_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']
const keyText = (min: number, max: number) => fc.array(fc.constantFrom(...KEY_CHARS), { minLength: min, maxLength: max }).map((cs) => cs.join(''))

describe('secretsIn', () => {
  it('takes every <ID>_API_KEY, *_SECRET, *_SECRET_KEY and *_TOKEN string, longest first, and nothing else', () => {
    expect(secretsIn({
      OPENAI_API_KEY: 'sk-test-openai',
      MY_HOST_API_KEY: 'a-long-custom-key',
      ADMIN_TOKEN: 'admin_token_value',
      STRIPE_WEBHOOK_SECRET: 'whsec_12345678',
      STRIPE_SECRET_KEY: 'sk_test_stripe_secret',
      OPENAI_BASE_URL: 'https://openai.test/v1',
      MARKUP_BPS: '100',
      LOCAL_API_KEY: 'none', // a placeholder, too short to be a secret
      DB: { prepare: () => null },
    })).toEqual(['sk_test_stripe_secret', 'a-long-custom-key', 'admin_token_value', 'sk-test-openai', 'whsec_12345678'])
  })
})

describe('redactor (configured secrets)', () => {
  const redact = redactor(['together-test', 'goog-test-key'])

  it.each([
    ['Incorrect API key provided: together-test.', `Incorrect API key provided: ${REDACTED}.`],
    ['key goog-test-key is invalid; goog-test-key again', `key ${REDACTED} is invalid; ${REDACTED} again`],
    ['{"error":"bad key together-test"}', `{"error":"bad key ${REDACTED}"}`],
    ['nothing secret here', 'nothing secret here'],
  ])('%s', (text, expected) => {
    expect(redact(text)).toBe(expected)
  })

  it('treats a secret as text, not as a regular expression', () => {
    expect(redactor(['a.b+c*d(e)'])('x a.b+c*d(e) y aXb+c*d(e)')).toBe(`x ${REDACTED} y aXb+c*d(e)`)
  })

  it('redacts a secret that contains another whole', () => {
    expect(redactor(['abcdefgh', 'abcdefgh-longer'])('k=abcdefgh-longer!')).toBe(`k=${REDACTED}!`)
  })

  it('property: no configured secret survives, wherever it sits and whatever surrounds it', () => {
    fc.assert(fc.property(fc.array(keyText(8, 60), { minLength: 1, maxLength: 4 }), fc.string(), fc.string(), (secrets, before, after) => {
      const out = redactor(secrets)(`${before}${secrets.join(' and ')}${after}`)
      for (const s of secrets) expect(out).not.toContain(s)
    }))
  })

  it('property: redacting twice changes nothing more', () => {
    fc.assert(fc.property(keyText(8, 40), fc.string(), (secret, text) => {
      const r = redactor([secret])
      const once = r(`${text}${secret}${text}`)
      expect(r(once)).toBe(once)
    }))
  })

  it('built once per env object', () => {
    const env = { OPENAI_API_KEY: 'sk-per-env-key' }
    expect(redactorOf(env)).toBe(redactorOf(env))
    expect(redactorOf(env)('x sk-per-env-key')).toBe(`x ${REDACTED}`)
  })
})

describe('redactPatterns (key-shaped text the gateway was not told about)', () => {
  it.each([
    ['Incorrect API key provided: sk-proj-AbCdEf0123456789xyz. You can find…', `Incorrect API key provided: ${REDACTED}. You can find…`],
    ['partly masked sk-proj-************************Ab1C here', `partly masked ${REDACTED} here`],
    ['anthropic sk-ant-api03-AbC_def-123456789', `anthropic ${REDACTED}`],
    ['openrouter sk-or-v1-0123456789abcdef', `openrouter ${REDACTED}`],
    [`ours sk-sb-v1-${'ab12'.repeat(16)}`, `ours ${REDACTED}`],
    ['groq gsk_AbCdEf0123456789', `groq ${REDACTED}`],
    ['google AIzaSyA-1234567890abcdefghijklmnopqrstu', `google ${REDACTED}`],
    ['Authorization: Bearer abc.DEF-123_ghi', `Authorization: Bearer ${REDACTED}`],
    ['authorization: bearer Zm9vYmFyYmF6', `authorization: bearer ${REDACTED}`],
    ['GET /v1beta/models?key=secretvalue&alt=sse', `GET /v1beta/models?key=${REDACTED}&alt=sse`],
    [`together ${'0123456789abcdef'.repeat(4)}`, `together ${REDACTED}`],
    [`tgp_v1_${'Ab3'.repeat(15)}`, REDACTED],
  ])('%s', (text, expected) => {
    expect(redactPatterns(text)).toBe(expected)
  })

  it.each([
    'Invalid value for "temperature": must be between 0 and 2',
    'The model `gpt-4o-mini` does not exist or you do not have access to it.',
    'models/gemini-2.5-flash is not found for API version v1beta',
    'accounts/fireworks/models/llama-v3p1-405b-instruct is overloaded',
    'generation gen-1763000000-AbCdEfGhIjKlMnOpQrSt failed',
    'request req_011CSHoEeqs5C35K2UUqR7Fy, trace 3f2a9c1d-1b2c-4d5e-8f90-123456789abc',
    'The Bearer token is missing; Basic authentication is not supported',
    'risk-assessment tasks-pending and scikit-learn',
    'Upstream returned HTTP 503',
    'internationalization_and_localization_configuration_settings',
  ])('leaves alone: %s', (text) => {
    expect(redactPatterns(text)).toBe(text)
  })

  it('property: an sk- key embedded in any prose is gone', () => {
    fc.assert(fc.property(keyText(8, 80).filter((s) => /^[A-Za-z0-9]/.test(s)), fc.string(), fc.string(), (body, before, after) => {
      const key = `sk-${body}`
      // Separators keep the key a token of its own, as it is in an error message.
      expect(redactPatterns(`${before} ${key} ${after}`)).not.toContain(key)
    }))
  })
})

describe('redactDeep and redactError', () => {
  const redact = redactor(['canary-secret-1'])

  it('redacts every string of a parsed body, keys included, and keeps other values', () => {
    const raw = { error: { message: 'bad key canary-secret-1', code: 401, details: ['canary-secret-1', null, true] }, 'canary-secret-1': 1 }
    expect(redactDeep(raw, redact)).toEqual({
      error: { message: `bad key ${REDACTED}`, code: 401, details: [REDACTED, null, true] },
      [REDACTED]: 1,
    })
  })

  it('redacts message, code and raw of an upstream error, leaving status and retryAfter', () => {
    const error = { status: 401, message: 'Incorrect API key provided: canary-secret-1', code: 'canary-secret-1', raw: 'text canary-secret-1', retryAfter: 3 }
    expect(redactError(error, redact)).toEqual({ status: 401, message: `Incorrect API key provided: ${REDACTED}`, code: REDACTED, raw: `text ${REDACTED}`, retryAfter: 3 })
    expect(redactError({ status: 502, message: 'plain' }, redact)).toEqual({ status: 502, message: 'plain' })
  })
})
