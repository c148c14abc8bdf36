// The fuzz tests' requests and their one rule (test/integration/fuzz.*.security.test.ts):
// odd methods, paths, query strings, credentials and headers around the bodies of
// fuzz-values.ts. Whatever arrives, the gateway answers below 500, and every 4xx is
// the error envelope of src/errors.ts ({error: {code, message}}), or on a skin's own
// route its wire's envelope (Anthropic's on /messages, OpenAI's on /responses).
//
// A failure prints fast-check's seed and path. To replay it, pass them as the
// `replay` option of `fuzz` (with the same numRuns) and run that test file alone.
import { exports } from 'cloudflare:workers'
import fc from 'fast-check'
import { expect } from 'vitest'
import { encoded, hostileValue, mutated, NUMERIC_STRINGS, singleFaults, toJson, type Json } from './fuzz-values.ts'

export const BASE = 'https://gateway.test/api/v1'

/** Printable ASCII: what a Headers object accepts as a value. */
export const headerText = (maxLength = 60) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength })

/** Authorization: one of the valid credentials, or a near miss, or junk. */
export const authorization = (valid: string[]): fc.Arbitrary<string | undefined> => {
  const key = fc.constantFrom(...valid)
  return fc.oneof(
    key.map((k) => `Bearer ${k}`),
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', 'Basic YTpi', `Bearer sk-sb-v1-${'g'.repeat(64)}`, `Bearer sk-sb-v1-${'a'.repeat(64)}`),
        key.map((k) => `bearer   ${k}   `),
        key.map((k) => `Bearer ${k} ${k}`),
        key.map((k) => `Bearer ${k.slice(0, -1)}`),
        key.map((k) => `Token ${k}`),
        headerText().map((t) => `Bearer ${t}`),
        fc.integer({ min: 1_000, max: 20_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
      ),
    },
  )
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded', 'application/octet-stream', '*/*', 'json', ';;;',
]
const REGIONS = ['us', 'eu', 'de', 'na', 'as', 'zz', 'US', ' eu , us ', ',,,', 'global', 'us-east-1']

/** Absent three times in four, so most requests still get past the header checks. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb })

/** The optional headers a client may send, each present or not, valid-looking or junk. */
export const oddHeaders: fc.Arbitrary<Record<string, string>> = fc.record({
  'content-type': fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, fc.constantFrom(...CONTENT_TYPES), headerText(), fc.constant(undefined)),
  'x-provider-region': sometimes(fc.oneof(fc.constantFrom(...REGIONS), headerText())),
  'x-provider-region-only': sometimes(fc.oneof(fc.constantFrom(...REGIONS), headerText())),
  'idempotency-key': sometimes(fc.oneof(fc.constantFrom('k1', 'k2', ''), headerText(), headerText(5_000))),
  'x-openrouter-metadata': sometimes(fc.oneof(fc.constantFrom('true', 'false', '1', 'yes'), headerText())),
  'http-referer': sometimes(fc.oneof(fc.constant('https://app.example'), headerText(2_000))),
  'x-title': sometimes(headerText()),
  'x-openrouter-categories': sometimes(headerText()),
  'x-session-id': sometimes(headerText()),
  accept: sometimes(fc.constantFrom('application/json', 'text/event-stream', '*/*', '')),
  // With OPTIONS these make a CORS preflight.
  origin: sometimes(fc.oneof(fc.constantFrom('https://app.example', 'null'), headerText())),
  'access-control-request-method': sometimes(fc.constantFrom('POST', 'GET', 'DELETE', 'BREW')),
  'access-control-request-headers': sometimes(fc.oneof(fc.constantFrom('authorization, content-type', 'x-evil'), headerText())),
}).map((h) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined)))

/** No DELETE: on another route's path it could revoke the key that route's next requests act on. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']

/** Mostly the route's own method, sometimes another (a 404, or a preflight). */
export const methodOf = (own: string) => fc.oneof({ weight: 4, arbitrary: fc.constant(own) }, fc.constantFrom(...METHODS))

/** Mostly the route's path, sometimes a near miss. */
export const pathOf = (path: string) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(path) },
    fc.constantFrom(`${path}/`, `${path}?x=%ZZ&x=1&=`, `${path}%00`, path.toUpperCase(), `${path}/..`, path.replace('/', '//'), `${path}%2F`),
  )

const MALFORMED_ESCAPES = ['%', '%E0%A4%A', '%00', '%FF', '%%', '%u0041']

/** A path segment: mostly the first of `valid`, else another, encoded junk, a malformed escape, a dot segment or a very long one. */
export const segment = (valid: [string, ...string[]]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(valid[0]) },
    fc.constantFrom(...valid),
    fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
    fc.constantFrom(...MALFORMED_ESCAPES, '..', '.', '%2F', '%20', 'a'.repeat(5_000)),
  )

/** A query string of the given parameters, each absent, as given, or junk; at times a malformed escape. */
export const queryOf = (params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> => {
  const junk = fc.oneof(headerText(), fc.constantFrom(...NUMERIC_STRINGS), fc.string({ unit: 'grapheme', maxLength: 20 }))
  const names = Object.keys(params)
  const values = fc.record(Object.fromEntries(names.map((k) => [k, fc.oneof({ weight: 2, arbitrary: params[k] ?? junk }, junk)])), { requiredKeys: [] })
  return fc.oneof(
    { weight: 4, arbitrary: values.map((q) => { const s = new URLSearchParams(q as Record<string, string>).toString(); return s ? `?${s}` : '' }) },
    fc.tuple(fc.constantFrom(...names, ''), fc.constantFrom(...MALFORMED_ESCAPES)).map(([k, v]) => `?${k}=${v}&${k}=1`),
  )
}

export interface FuzzRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Uint8Array | undefined
}

export interface Route {
  method: string
  path: fc.Arbitrary<string>
  /** Credentials that pass, sent as `Bearer …`; none for an open route. */
  credentials?: string[]
  /** Headers every request of the route carries besides its content type (e.g. a webhook's signature). */
  headers?: fc.Arbitrary<Record<string, string>>
  /** Valid bodies, for a route that takes one, and field names a mutation may add. */
  body?: fc.Arbitrary<Json>
  fields?: string[]
}

const build = (method: string, path: string, auth: string | undefined, headers: Record<string, string>, body: string | Uint8Array | undefined): FuzzRequest => ({
  method, path, body: method === 'GET' || method === 'HEAD' ? undefined : body,
  headers: auth === undefined ? headers : { ...headers, authorization: auth },
})

/**
 * A route's requests, in three kinds so that no dimension hides another:
 * hostile bodies with valid credentials and headers; valid bodies with odd
 * credentials and headers; and everything odd at once (methods and paths too).
 */
export const routeInputs = (route: Route): fc.Arbitrary<FuzzRequest> => {
  const credentials = route.credentials ?? []
  const validAuth = credentials.length ? fc.constantFrom(...credentials.map((c) => `Bearer ${c}`)) : fc.constant(undefined)
  const oddAuth = authorization(credentials.length ? credentials : ['sk-sb-v1-none'])
  const own = route.headers ?? fc.constant({})
  const plain = own.map((h) => ({ 'content-type': 'application/json', ...h }))
  const odd = fc.tuple(own, oddHeaders).map(([h, o]) => ({ ...h, ...o }))
  const validBody = route.body ? route.body.map(toJson) : fc.constant(undefined)
  const anyBody = route.body
    ? encoded(fc.oneof({ weight: 5, arbitrary: mutated(route.body, route.fields ?? []) }, { weight: 1, arbitrary: hostileValue }))
    : fc.option(encoded(hostileValue), { nil: undefined, freq: 4 })
  const method = fc.constant(route.method)
  const kinds = [
    { weight: 1, arbitrary: fc.tuple(method, route.path, oddAuth, odd, validBody).map((p) => build(...p)) },
    { weight: 1, arbitrary: fc.tuple(methodOf(route.method), route.path.chain(pathOf), oddAuth, odd, anyBody).map((p) => build(...p)) },
  ]
  if (route.body) kinds.push({ weight: 3, arbitrary: fc.tuple(method, route.path, validAuth, plain, anyBody).map((p) => build(...p)) })
  return fc.oneof(...kinds)
}

const describeRequest = (r: FuzzRequest) => {
  const body = typeof r.body === 'string' ? r.body : r.body ? `<${r.body.length} bytes>` : ''
  return `${r.method} ${r.path} ${JSON.stringify(r.headers).slice(0, 300)} ${body.slice(0, 300)}`
}

type Envelope = 'openrouter' | 'anthropic' | 'openai'

/** The POST routes whose skin has an error envelope of its own (src/skins/routes.ts); any other request (another method: no route) answers the app's. */
const SKIN_ENVELOPES: Record<string, Envelope> = { '/messages': 'anthropic', '/messages/count_tokens': 'anthropic', '/responses': 'openai' }
const envelopeOf = (r: FuzzRequest): Envelope => (r.method === 'POST' ? SKIN_ENVELOPES[r.path.split('?')[0] ?? ''] : undefined) ?? 'openrouter'

interface ErrorBody {
  type?: unknown
  error?: { code?: unknown; message?: unknown; type?: unknown; param?: unknown }
}

/** Each envelope's 4xx: OpenRouter's numeric code; Anthropic's `{type: 'error', error: {type, message}}`; OpenAI's `{error: {message, type, param, code}}`. */
const expectEnvelope = (envelope: Envelope, status: number, body: ErrorBody, where: string) => {
  expect(typeof body.error?.message, where).toBe('string')
  if (envelope === 'openrouter') return expect(body.error?.code, where).toBe(status)
  expect(typeof body.error?.type, where).toBe('string')
  if (envelope === 'anthropic') return expect(body.type, where).toBe('error')
  expect(typeof body.error?.code, where).toBe('string')
  expect(body.error && 'param' in body.error, where).toBe(true)
}

/** A server error inside a stream that started well, in each envelope's spelling. */
const STREAMED_SERVER_ERROR: Record<Envelope, RegExp> = {
  openrouter: /"code":\s*5\d\d/,
  anthropic: /"type":\s*"(?:api_error|overloaded_error)"/,
  openai: /"code":\s*"server_error"/,
}

/** Sends one request and checks the rule; returns the status for the caller's tally. */
export const send = async (r: FuzzRequest): Promise<number> => {
  const res = await exports.default.fetch(new Request(`${BASE}${r.path}`, { method: r.method, headers: r.headers, body: r.body ?? null }))
  const text = await res.text()
  const where = `${describeRequest(r)}\n→ ${res.status} ${text.slice(0, 500)}`
  const envelope = envelopeOf(r)
  expect(res.status, where).toBeLessThan(500)
  if (res.status >= 400 && r.method !== 'HEAD') {
    expect(res.headers.get('content-type'), where).toContain('application/json')
    expectEnvelope(envelope, res.status, JSON.parse(text) as ErrorBody, where)
  }
  // A stream that started well must not end in a server error either.
  if (res.headers.get('content-type')?.includes('text/event-stream')) expect(text, where).not.toMatch(STREAMED_SERVER_ERROR[envelope])
  return res.status
}

/** Counts an answer by status class (2xx, 4xx…); a preflight's 204 by itself, as it says nothing of the route. */
const tallied = (tally: Record<string, number>, r: FuzzRequest, status: number) => {
  const klass = r.method === 'OPTIONS' ? 'preflight' : `${Math.floor(status / 100)}xx`
  tally[klass] = (tally[klass] ?? 0) + 1
}

export interface FuzzOptions {
  numRuns?: number
  /** Completes a generated request before it is sent (e.g. signs its body). */
  prepare?: (r: FuzzRequest) => Promise<FuzzRequest>
  /** fast-check's seed and path from a failure report, to replay it. */
  replay?: { seed: number; path: string }
}

/** Runs the property; returns how many answers fell in each status class (2xx, 4xx…). */
export const fuzz = async (requests: fc.Arbitrary<FuzzRequest>, options: FuzzOptions = {}) => {
  const tally: Record<string, number> = {}
  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      tallied(tally, r, await send(options.prepare ? await options.prepare(r) : r))
    }),
    { numRuns: options.numRuns ?? 150, ...(options.replay ? { ...options.replay, endOnFailure: true } : {}) },
  )
  return tally
}

/** Sends every single-fault body of `valid` (`singleFaults`), a few at a time, checking each; returns the tally. */
export const sweep = async (
  route: { method: string; path: string; credential?: string; headers?: Record<string, string> },
  valid: Json,
  prepare: (r: FuzzRequest) => Promise<FuzzRequest> = async (r) => r,
) => {
  const tally: Record<string, number> = {}
  const headers = { 'content-type': 'application/json', ...route.headers, ...(route.credential ? { authorization: `Bearer ${route.credential}` } : {}) }
  const bodies = singleFaults(valid)
  for (let i = 0; i < bodies.length; i += 4) {
    const batch = bodies.slice(i, i + 4).map(async (body) => {
      const r = await prepare({ method: route.method, path: route.path, headers, body: toJson(body) })
      tallied(tally, r, await send(r))
    })
    await Promise.all(batch)
  }
  return tally
}
