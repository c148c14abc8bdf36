// The fuzz tests' values (test/integration/fuzz.*.security.test.ts): hostile JSON,
// valid bodies mutated a few places at random (`mutated`) or in every place in turn
// (`singleFaults`), and the encodings a body may arrive in.
import fc from 'fast-check'

/** Numbers that break arithmetic: huge, tiny, negative zero, past the safe integers. */
const HOSTILE_NUMBERS = [1e10, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -0, 2 ** 53 + 2, -(2 ** 53) - 2, 0.1, 0.5, -1, 0, 1, 1e21, 2 ** 32]
/** Number literals JSON.stringify never writes (1e999 parses as Infinity): sentinels that `toJson` splices in bare. */
const RAW_NUMBERS = ['1e999', '-1e999', '1E400', '1.0e-400', '-0.0', '123456789012345678901234567890'].map((n) => `\u0000raw:${n}`)
export const NUMERIC_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x1F', '1_000', '', ' ', 'null', 'true', '٣', '1e10', '9'.repeat(400)]
const ODD_UNICODE = ['\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '👩‍👩‍👧‍👦', '\u0301'.repeat(100), '𝕏', '\r\n\r\n', '<script>', "' OR 1=1 --"]
const shortText = fc.oneof(
  fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...NUMERIC_STRINGS, ...ODD_UNICODE),
)
/** Text without the `[[fake …]]` directive, which steers the fake upstream into failing on purpose. */
export const plainText = (maxLength = 40) => fc.string({ unit: 'grapheme', maxLength }).filter((t) => !t.includes('[[fake'))

/** Mostly `normal`, at times an extreme number: for numeric fields of valid bodies. */
export const edgeNumber = (normal: fc.Arbitrary<number>): fc.Arbitrary<number | string> =>
  fc.oneof({ weight: 8, arbitrary: normal }, fc.constantFrom(...HOSTILE_NUMBERS, ...RAW_NUMBERS))
/** Mostly `normal`, at times an odd string: for text fields of valid bodies. */
export const edgeText = (normal: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof({ weight: 8, arbitrary: normal }, fc.constantFrom(...NUMERIC_STRINGS, ...ODD_UNICODE, 'x'.repeat(100_000)))
const longText = fc.tuple(fc.integer({ min: 1_000, max: 300_000 }), fc.constantFrom('x', 'é', '🦀', '\\', '"', ' ')).map(([n, c]) => c.repeat(n))
/** Arrays or objects nested far deeper than any schema goes. */
const nest = (depth: number, arrays: boolean): unknown => {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v }
  return v
}
const deep = fc.tuple(fc.integer({ min: 20, max: 3_000 }), fc.boolean()).map(([depth, arrays]) => nest(depth, arrays))

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_NUMBERS) },
  { weight: 3, arbitrary: shortText },
  { weight: 1, arbitrary: longText },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [{}], [[]]) },
)

type Path = (string | number)[]
export type Json = Record<string, unknown>

/** Where a mutation may land: every node down to the schemas' depth (not into a deep hostile value). */
const pathsOf = (value: unknown, prefix: Path = [], out: Path[] = []): Path[] => {
  if (prefix.length >= 6) return out
  if (Array.isArray(value)) value.slice(0, 20).forEach((v, i) => { out.push([...prefix, i]); pathsOf(v, [...prefix, i], out) })
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { out.push([...prefix, k]); pathsOf(v, [...prefix, k], out) }
  }
  return out
}

/** A value of the same JSON type at an extreme: what a schema checking only the type lets through. */
const extremeOf = (v: unknown, pick: number): unknown => {
  const from = (xs: unknown[]) => xs[pick % xs.length]
  if (typeof v === 'string') return from([...NUMERIC_STRINGS, ...ODD_UNICODE, 'x'.repeat(100_000)])
  if (typeof v === 'boolean') return !v
  if (Array.isArray(v)) {
    // A long array of a small element: 3,000 copies of an earlier mutation's 300,000-character string would be a body past V8's string limit.
    const small = (JSON.stringify(v[0]) ?? '').length <= 1_000 ? v[0] ?? null : null
    return from([[], Array(100).fill(small), Array(3_000).fill(small)])
  }
  if (v !== null && typeof v === 'object') return {}
  return from([...HOSTILE_NUMBERS, ...RAW_NUMBERS])
}

type Kind = 'extreme' | 'set' | 'delete' | 'add' | 'wrap' | 'stringify'
interface Mutation { kind: Kind; shallow: boolean; at: number; key: string; value: unknown }

const mutate = (body: Json, m: Mutation): Json => {
  const all = pathsOf(body)
  const paths = m.shallow ? all.filter((p) => p.length === 1) : all
  const path = paths.length ? paths[m.at % paths.length] ?? [] : []
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], body) as Record<string | number, unknown>
  const last = path[path.length - 1]
  if (m.kind === 'add' || last === undefined) {
    const node = last === undefined ? undefined : parent[last]
    const target = m.kind === 'add' && typeof node === 'object' && node !== null && !Array.isArray(node) ? node : body
    // defineProperty: an own `__proto__` key, as JSON.parse makes one, not a prototype change.
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true })
  } else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else if (m.kind === 'extreme') parent[last] = extremeOf(parent[last], m.at)
  else if (m.kind === 'wrap') parent[last] = m.at % 2 ? [parent[last]] : { value: parent[last] }
  else if (m.kind === 'stringify') parent[last] = JSON.stringify(parent[last]) ?? 'undefined'
  else parent[last] = m.value
  return body
}

const KINDS: Kind[] = ['extreme', 'extreme', 'extreme', 'set', 'set', 'delete', 'add', 'wrap', 'stringify']

/**
 * Valid bodies with 0–3 mutations each, half of them on a top-level field: a value
 * of the right type at an extreme, any hostile value, deleted, wrapped, turned into
 * a string, or a field added (a known name or a random one). Zero mutations keeps
 * the body valid, so the property also walks the success path.
 */
export const mutated = (valid: fc.Arbitrary<Json>, fieldNames: string[]): fc.Arbitrary<Json> => {
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constantFrom(...KINDS),
    shallow: fc.boolean(),
    at: fc.nat(),
    // Never `fake`: that field steers the fake upstream into failing on purpose.
    key: fc.oneof(fc.constantFrom(...fieldNames), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor')).filter((k) => k !== 'fake'),
    value: hostileValue,
  })
  // One body in four unmutated: the success path needs its share of the runs.
  const mutations = fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) })
  return fc.tuple(valid, mutations)
    .map(([body, ms]) => ms.reduce((b, m) => mutate(b, m), structuredClone(body)))
}

/** What `singleFaults` puts in a top-level field: extreme numbers, odd strings, every other JSON type. */
const FAULTS: unknown[] = [
  1e10, 1e300, -1e300, Number.MAX_VALUE, 5e-324, -0, 2 ** 53 + 2, 0.5, -1, 0, 1e21, ...RAW_NUMBERS.slice(0, 4),
  'NaN', '', '\u0000', '\ud800', 'x'.repeat(20_000), null, true, [], {}, [{}], nest(100, true), nest(100, false),
]
/** Deeper down, fewer: a wrong type or an extreme of each kind. */
const NESTED_FAULTS: unknown[] = [1e300, -1, 0.5, RAW_NUMBERS[0], '', 'NaN', null, true, [], {}]

/**
 * Every body that differs from `valid` in one place: each field, at every depth, set
 * to each fault value or deleted (about 30 bodies a top-level field, 11 a nested one). A sweep, not a sample: no single-field fault is left
 * to chance, and a failure names its body exactly.
 */
export const singleFaults = (valid: Json): Json[] =>
  pathsOf(valid).flatMap((path) => {
    const at = (body: Json) => {
      const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], body) as Record<string | number, unknown>
      return { parent, last: path[path.length - 1] as string | number }
    }
    const set = (value: unknown) => {
      const body = structuredClone(valid)
      const { parent, last } = at(body)
      parent[last] = value
      return body
    }
    const removed = structuredClone(valid)
    const { parent, last } = at(removed)
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
    return [...(path.length === 1 ? FAULTS : NESTED_FAULTS).map(set), removed]
  })

/** JSON text, with the raw-number sentinels spliced in as bare literals. */
export const toJson = (value: unknown): string =>
  (JSON.stringify(value) ?? 'null').replace(/"\\u0000raw:([^"]+)"/g, '$1')

/** A body as sent: mostly its JSON, else truncated, garbage, bytes or a classic troublemaker. */
export const encoded = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    { weight: 12, arbitrary: value.map(toJson) },
    { weight: 1, arbitrary: fc.tuple(value, fc.nat()).map(([v, n]) => { const s = toJson(v); return s.slice(0, n % (s.length + 1)) }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'null', '[]', '"x"', '{', '{"a":1}{"b":2}', '\ufeff{}', 'NaN', '{"model":1e999}', '{"__proto__":{"x":1}}', `${'['.repeat(100_000)}`),
    },
  )

