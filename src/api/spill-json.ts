// PURE: a non-streaming answer written as its text arrives (api/spill-response.ts), as JSON
// that parses to the same object the assembled answer serializes to, in any skin's shape.
//
// The skin renders its body with a mark where the text goes; the mark's place (its path)
// splits the JSON. Along the path, each object writes its identity keys and the path's key
// before the text, every other key after it; each array writes the item holding the text
// first and the rest after it (JSON objects are unordered; the item is the array's first).
// The head comes from the body rendered when the answer commits, the tail from the one
// rendered at its end, so only identity keys (fixed once the answer commits) come early.
// An item a skin puts before the text (Messages' thinking) that first arrives after the
// commit is written after the text, in the order the stream sent them.
import type { CanonicalChunk, CanonicalResponse } from '../providers/types.ts'
import { isRecord } from '../lib/json.ts'

type Json = Record<string, unknown>
export type TextPath = readonly (string | number)[]

/**
 * Stands in for the text in a rendered body: no answer holds it (a random id between NULs,
 * one per isolate). Made on first use: a Worker may not draw random values at load.
 */
let mark: { text: string; json: string } | undefined
const textMark = () => {
  if (!mark) {
    const text = `\u0000text-${crypto.randomUUID()}\u0000`
    mark = { text, json: JSON.stringify(text) }
  }
  return mark
}

/** The answer with choice 0's text as the mark, for the skin to render: its body then shows where the text goes. */
export const markText = (res: CanonicalResponse): CanonicalResponse => ({
  ...res,
  choices: res.choices.map((c) => (c.index === 0 ? { ...c, message: { ...c.message, content: textMark().text } } : c)),
})

/** Keys written before the text, at any level of its path: the generation's and the item's identity. */
const HEAD_KEYS = new Set(['id', 'object', 'type', 'role', 'created', 'created_at', 'model', 'provider', 'index'])

/** Where the mark is: the keys and indices down to it, or undefined when it is absent. */
export const markPath = (body: unknown, target = textMark().text): TextPath | undefined => {
  if (body === target) return []
  if (Array.isArray(body)) {
    for (const [i, item] of body.entries()) {
      const rest = markPath(item, target)
      if (rest) return [i, ...rest]
    }
  } else if (isRecord(body)) {
    for (const key in body) {
      const rest = markPath(body[key], target)
      if (rest) return [key, ...rest]
    }
  }
  return undefined
}

/** A path the text can be written along: it holds the mark, and each array's marked item is its first. */
export const spillPath = (body: unknown): TextPath | undefined => {
  const path = markPath(body)
  if (!path || path.length === 0 || !path.every((step) => typeof step === 'string' || step === 0)) return undefined
  // A body that repeats its text (Responses' output_text) would need it held to write it twice.
  return JSON.stringify(body).split(textMark().json).length === 2 ? path : undefined
}

/** A body rendered with the mark, as the JSON of the whole answer: the text (pieces as jsonText made them) in the mark's place. */
export const withText = (body: unknown, escapedText: string): string => JSON.stringify(body).replace(textMark().json, () => `"${escapedText}"`)

/** One piece of text as it goes inside a JSON string. A lone surrogate is escaped, so halves split across pieces parse back to the pair. */
export const jsonText = (text: string): string => JSON.stringify(text).slice(1, -1)

const member = (key: string, value: unknown) => `${JSON.stringify(key)}:${JSON.stringify(value)}`
const definedKeys = (o: Json) => Object.keys(o).filter((k) => o[k] !== undefined)

/** The JSON up to the open text string, from the body rendered at the commit. */
export const spillHead = (body: unknown, path: TextPath): string => {
  let out = ''
  let node = body
  for (const step of path) {
    if (typeof step === 'number') {
      out += '['
      node = (node as unknown[])[step]
      continue
    }
    const o = node as Json
    const head = definedKeys(o).filter((k) => k !== step && HEAD_KEYS.has(k))
    out += `{${[...head.map((k) => member(k, o[k])), `${JSON.stringify(step)}:`].join(',')}`
    node = o[step]
  }
  return `${out}"`
}

/**
 * The JSON after the text, from the body rendered at the end: closing along the path from
 * the text up, each object's keys not written before it and each array's other items;
 * `extra` joins the top object's keys.
 */
export const spillTail = (body: unknown, extra?: Json): string => {
  const path = markPath(body)
  if (!path) throw new Error('spill: the final body has lost its text mark')
  const nodes: unknown[] = [body]
  for (const step of path.slice(0, -1)) nodes.push(typeof step === 'number' ? (nodes.at(-1) as unknown[])[step] : (nodes.at(-1) as Json)[step])
  let out = '"'
  for (let level = path.length - 1; level >= 0; level--) {
    const step = path[level]!
    const node = nodes[level]
    if (typeof step === 'number') {
      const others = (node as unknown[]).filter((_, i) => i !== step)
      out += `${others.map((item) => `,${JSON.stringify(item)}`).join('')}]`
      continue
    }
    const o = level === 0 ? { ...(node as Json), ...extra } : (node as Json)
    const rest = definedKeys(o).filter((k) => k !== step && !HEAD_KEYS.has(k))
    out += `${rest.map((k) => `,${member(k, o[k])}`).join('')}}`
  }
  return out
}

/** A delta with nothing but content (and a role, which the answer's body already has). */
const textOnly = (delta: CanonicalChunk['choices'][number]['delta']): boolean => {
  for (const key in delta) if (key !== 'content' && key !== 'role') return false
  return true
}

/**
 * Splits choice 0's text off a chunk: the text to write, and what is left of the chunk to
 * assemble the rest of the answer from (undefined when nothing is: a plain text delta).
 */
export const splitText = (chunk: CanonicalChunk, seen: { upstreamId: boolean; fingerprint: boolean }): { text: string; left: CanonicalChunk | undefined } => {
  // Nearly every event of a long answer is a bare text delta: it leaves nothing, so nothing is copied.
  const only = chunk.choices.length === 1 && chunk.usage == null && (chunk.upstreamId == null || seen.upstreamId) && (chunk.systemFingerprint == null || seen.fingerprint)
    ? chunk.choices[0]! : undefined
  if (only && only.index === 0 && only.finish_reason === null && only.native_finish_reason === null && only.logprobs == null && textOnly(only.delta)) {
    return { text: only.delta.content ?? '', left: undefined }
  }
  let text = ''
  let keep = chunk.usage != null || (chunk.upstreamId != null && !seen.upstreamId) || (chunk.systemFingerprint != null && !seen.fingerprint)
  const choices = chunk.choices.map((c) => {
    if (c.index !== 0) {
      keep = true
      return c
    }
    const { content, role: _role, ...delta } = c.delta
    if (typeof content === 'string') text = content
    if (c.finish_reason !== null || c.native_finish_reason !== null || c.logprobs != null || Object.keys(delta).length) keep = true
    return { ...c, delta }
  })
  if (chunk.upstreamId != null) seen.upstreamId = true
  if (chunk.systemFingerprint != null) seen.fingerprint = true
  return { text, left: keep ? { ...chunk, choices } : undefined }
}
