// JSON Schema (tool parameters, response_format json_schema) → the OpenAPI 3.0
// subset Gemini takes. Gemini answers 400 to keys it does not know ("Unknown name
// \"additionalProperties\""), so keys are kept by allow-list, not stripped by deny-list.
// @see https://ai.google.dev/api/caching#Schema
import type { GeminiSchema } from './wire/gemini.ts'
import { isRecord } from '../lib/json.ts'

type Json = Record<string, unknown>

const KEEP = [
  'title', 'description', 'nullable', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum',
  'minProperties', 'maxProperties', 'default', 'example', 'propertyOrdering',
] as const

/** The only `format`s Gemini accepts per type; any other (email, uri…) is a 400. */
const FORMATS: Record<string, readonly string[]> = { string: ['enum', 'date-time'], number: ['float', 'double'], integer: ['int32', 'int64'] }

/** Gemini has no $ref: local refs are inlined, and a ref met again inside itself (recursion) is dropped there. */
const MAX_DEPTH = 32

interface Walk {
  defs: Json
  depth: number
  /** $refs being expanded on the way down to this node. */
  refs: readonly string[]
}

const resolveRef = (node: Json, walk: Walk): [Json, Walk] | undefined => {
  if (typeof node.$ref !== 'string') return [node, walk]
  const { $ref, ...siblings } = node
  if (walk.refs.includes($ref)) return undefined
  const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec($ref)?.[1]
  const target = name === undefined ? undefined : walk.defs[name]
  return isRecord(target) ? [{ ...target, ...siblings }, { ...walk, refs: [...walk.refs, $ref] }] : undefined
}

const convert = (input: Json, outer: Walk): GeminiSchema | undefined => {
  if (outer.depth > MAX_DEPTH) return undefined
  const resolved = resolveRef(input, outer)
  if (!resolved) return undefined
  const [node, walk] = resolved
  const child = (schema: Json) => convert(schema, { ...walk, depth: walk.depth + 1 })
  const out: GeminiSchema = {}
  for (const key of KEEP) if (node[key] !== undefined) out[key] = node[key]

  // A union with a null branch is Gemini's `nullable`; one remaining branch is inlined.
  const union = [node.anyOf, node.oneOf, node.allOf].find(Array.isArray)?.filter(isRecord)
  if (union) {
    const branches = union.filter((b) => b.type !== 'null')
    if (branches.length < union.length) out.nullable = true
    if (branches.length === 1) {
      const inner = child(branches[0]!)
      return inner && { ...inner, ...out }
    }
    if (node.allOf === undefined) {
      const anyOf = branches.map(child).filter((b) => b !== undefined)
      if (anyOf.length) out.anyOf = anyOf
    }
  }

  // type: ["string", "null"] is a nullable string.
  let types = (Array.isArray(node.type) ? node.type : [node.type]).filter((t): t is string => typeof t === 'string')
  if (types.includes('null')) {
    out.nullable = true
    types = types.filter((t) => t !== 'null')
  }
  if (types.length === 1) out.type = types[0]
  else if (types.length > 1) out.anyOf = types.map((type) => ({ type }))

  // Gemini enums are strings only; `const` is a one-value enum.
  const values = Array.isArray(node.enum) ? node.enum : node.const !== undefined ? [node.const] : undefined
  if (values?.includes(null)) out.nullable = true
  const strings = values?.filter((v) => v !== null)
  if (strings?.length && strings.every((v) => typeof v === 'string')) {
    out.enum = strings
    out.type ??= 'string'
  }

  if (typeof node.format === 'string' && FORMATS[String(out.type)]?.includes(node.format)) out.format = node.format

  if (isRecord(node.properties)) {
    const properties: Record<string, GeminiSchema> = {}
    for (const [name, prop] of Object.entries(node.properties)) {
      const converted = isRecord(prop) ? child(prop) : undefined
      if (converted) properties[name] = converted
    }
    out.type ??= 'object'
    if (Object.keys(properties).length) {
      out.properties = properties
      const required = Array.isArray(node.required) ? node.required.filter((r) => typeof r === 'string' && r in properties) : []
      if (required.length) out.required = required
    }
  }
  if (isRecord(node.items)) {
    const items = child(node.items)
    if (items) out.items = items
  }
  return out
}

/** undefined for anything that is not a schema object. */
export const toGeminiSchema = (schema: unknown): GeminiSchema | undefined => {
  if (!isRecord(schema)) return undefined
  const defs = { ...(isRecord(schema.definitions) ? schema.definitions : {}), ...(isRecord(schema.$defs) ? schema.$defs : {}) }
  return convert(schema, { defs, depth: 0, refs: [] })
}
