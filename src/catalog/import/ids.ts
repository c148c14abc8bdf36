// PURE: provider-specific model ids → canonical `author/slug` ids, by rules. Both sides are reduced
// to keys at three levels of looseness and matched at the strictest level that finds a single model:
//   exact   the slug, lower-cased, with version spellings unified (v3p3, 3_1, 3-5 → 3.3, 3.1, 3.5)
//   dateless  the same without a -YYYYMMDD / -latest suffix (Anthropic's and OpenAI's snapshots)
//   loose   the same without serving words (instruct, chat, turbo, fp8, versatile…) hosts add
// Anything left over is reported, and a maintainer adds an exception (src/catalog/overrides/ids.json).

/** Words hosts add to a model's name for how they serve it, not which model it is. */
const SERVING_WORDS = new Set([
  'instruct', 'it', 'chat', 'hf', 'turbo', 'versatile', 'instant', 'fast', 'lite', 'tput', 'maas',
  'fp4', 'nvfp4', 'mxfp4', 'fp6', 'fp8', 'fp16', 'bf16', 'int4', 'int8', 'awq', 'basic', 'free',
])

/** Host prefixes that are no part of the model's name (Fireworks accounts, Synthetic's `hf:`, Workers AI's `@cf/`). */
const HOST_PREFIX = /^(hf:|accounts\/[^/]+\/models\/|@cf\/|@hf\/)/i

/** The id without a host prefix: `org/name` or `name`. */
export const bareId = (id: string): string => id.trim().replace(HOST_PREFIX, '')

/** The `org` of `org/name` (lower-cased), if any. */
export const orgOf = (id: string): string | undefined => {
  const bare = bareId(id)
  const slash = bare.lastIndexOf('/')
  return slash > 0 ? bare.slice(0, slash).toLowerCase() : undefined
}

/** The name without host prefix and org, lower-cased, version spellings unified (v3p3, 3_1 → 3.3, 3.1). */
const prepare = (id: string): string => {
  let s = bareId(id).toLowerCase()
  s = s.slice(s.lastIndexOf('/') + 1)
  s = s.replace(/(\d)[p_](\d)/g, '$1.$2') // llama-v3p3, Llama-3_1-Nemotron
  s = s.replace(/[_\s:]+/g, '-')
  s = s.replace(/^meta-llama-?/, 'llama-').replace(/^meta-/, '')
  return s.replace(/(^|-)v(\d)/g, '$1$2') // v3.3, -v0.2
}

/** Letters and digits split, single-digit versions dotted: qwen3 → qwen-3, claude-3-5 → claude-3.5, sonnet-4-0 → sonnet-4. */
const finish = (s: string): string =>
  s
    .replace(/([a-z])(\d)/g, '$1-$2')
    .replace(/(^|-)(\d)-(\d)(?=-|$)/g, '$1$2.$3')
    .replace(/(\d)\.0(?=-|$)/g, '$1')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')

const DATE_SUFFIX = /-(20\d\d-?[01]\d-?[0-3]\d|latest)(?=-|$)/g
const dateless = (id: string) => prepare(id).replace(DATE_SUFFIX, '')
const serving = (s: string) => s.split('-').filter((w) => !SERVING_WORDS.has(w)).join('-')

/** The exact-level key. */
export const exactKey = (id: string): string => finish(prepare(id))
export const datelessKey = (id: string): string => finish(dateless(id))
/** The loose-level key: also what `ids.json` aliases are keyed by. */
export const looseKey = (id: string): string => finish(serving(dateless(id)))
/** The loosest: the loose key's words in order (`claude-4-opus` = `claude-opus-4`). */
export const wordsKey = (id: string): string => looseKey(id).split('-').sort().join('-')

const LEVELS = [exactKey, datelessKey, looseKey, wordsKey] as const

export interface CanonicalIndex {
  /** level → author → key → canonical ids */
  levels: Map<string, Map<string, string[]>>[]
  authors: Set<string>
}

const push = (map: Map<string, Map<string, string[]>>, author: string, key: string, id: string) => {
  let byKey = map.get(author)
  if (!byKey) map.set(author, (byKey = new Map()))
  const ids = byKey.get(key)
  if (!ids) byKey.set(key, [id])
  else if (!ids.includes(id)) ids.push(id)
}

/** Index canonical ids (`author/slug`) by their keys at every level, per author and under `*` for all. */
export const indexCanonical = (ids: Iterable<string>): CanonicalIndex => {
  const levels = LEVELS.map(() => new Map<string, Map<string, string[]>>())
  const authors = new Set<string>()
  for (const id of [...ids].sort()) {
    const author = id.slice(0, id.indexOf('/'))
    authors.add(author)
    LEVELS.forEach((key, i) => {
      const k = key(id)
      push(levels[i]!, author, k, id)
      push(levels[i]!, '*', k, id)
    })
  }
  return { levels, authors }
}

/** How far two ids' words are apart: the words only one of them has. */
const distance = (a: string, b: string): number => {
  const [wa, wb] = [new Set(exactKey(a).split('-')), new Set(exactKey(b).split('-'))]
  let d = 0
  for (const w of wa) if (!wb.has(w)) d++
  for (const w of wb) if (!wa.has(w)) d++
  return d
}

export type Match = { id: string; level: 'exact' | 'dateless' | 'loose' | 'words' } | { ambiguous: string[] } | undefined

const LEVEL_NAMES = ['exact', 'dateless', 'loose', 'words'] as const

/**
 * The canonical id an upstream id names, within an author's models (or all, when the author is
 * unknown): the strictest level with a candidate wins; several candidates resolve to the one
 * closest in words, and a tie is ambiguous. `loose: false` (first-party hosts, whose `-fast`,
 * `-chat` or `-lite` name another model) stops at the dateless level.
 */
export const matchCanonical = (upstreamId: string, author: string | undefined, index: CanonicalIndex, loose = true): Match => {
  for (let i = 0; i < (loose ? LEVELS.length : 2); i++) {
    const found = index.levels[i]!.get(author ?? '*')?.get(LEVELS[i]!(upstreamId))
    if (!found?.length) continue
    if (found.length === 1) return { id: found[0]!, level: LEVEL_NAMES[i]! }
    const ranked = found
      .map((id) => ({ id, d: distance(upstreamId, id) }))
      .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
    const [best, next] = ranked
    if (best && next && best.d < next.d) return { id: best.id, level: LEVEL_NAMES[i]! }
    return { ambiguous: found.slice().sort() }
  }
  return undefined
}

/**
 * The author of an upstream id: its org (mapped: `deepseek-ai` → `deepseek`), else the first word of
 * its name (`llama…` → `meta-llama`), else the first-party host's author.
 */
export const authorOf = (
  upstreamId: string, authors: Record<string, string>, known: Set<string>, hostAuthor?: string,
): string | undefined => {
  const org = orgOf(upstreamId)
  if (org) {
    const mapped = authors[org] ?? (known.has(org) ? org : undefined)
    if (mapped) return mapped
  }
  if (hostAuthor && !org) return hostAuthor
  const first = exactKey(upstreamId).split('-')[0] ?? ''
  return authors[first] ?? hostAuthor
}
