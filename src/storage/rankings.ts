// PURE: the leaderboard from summed rollups. Apps are named only by what they chose to send
// (X-OpenRouter-Title / X-Title, and HTTP-Referer cut to its origin, so a path or query string
// that might carry something private never shows); an app that sent neither is not listed.
import { appParts } from './record.ts'
import type { RankBy } from '../db/queries/rankings.ts'

export interface Counts { requests: number; promptTokens: number; completionTokens: number }

/** A referer's origin (`https://app.example`), or null when it is not an http(s) URL. */
export const originOf = (referer: string | null): string | null => {
  if (!referer) return null
  try {
    const url = new URL(referer)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null
  } catch {
    return null
  }
}

const counted = (c: Counts) => ({
  requests: c.requests,
  prompt_tokens: c.promptTokens,
  completion_tokens: c.completionTokens,
  total_tokens: c.promptTokens + c.completionTokens,
})

const compare = (by: RankBy) => (a: ReturnType<typeof counted>, b: ReturnType<typeof counted>) =>
  by === 'tokens' ? b.total_tokens - a.total_tokens || b.requests - a.requests : b.requests - a.requests || b.total_tokens - a.total_tokens

const add = (a: Counts, b: Counts): Counts => ({ requests: a.requests + b.requests, promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens })

/** Rows that only failed (no successful request, no token) are not ranked. */
const used = (c: Counts) => c.requests > 0 || c.promptTokens + c.completionTokens > 0

export const rankModels = (rows: (Counts & { model: string })[], by: RankBy, limit: number) =>
  rows
    .filter(used)
    .map((r) => ({ model: r.model, ...counted(r) }))
    .sort((a, b) => compare(by)(a, b) || a.model.localeCompare(b.model))
    .slice(0, limit)
    .map((r, i) => ({ rank: i + 1, ...r }))

/**
 * Apps by their public name (title and referer origin): interned apps that differ only in a
 * referer's path are one app here. Those with no usable name join `unattributed`.
 */
export const rankApps = (rows: (Counts & { app: string })[], unattributed: Counts, by: RankBy, limit: number) => {
  const apps = new Map<string, { title: string | null; url: string | null; counts: Counts }>()
  let none = unattributed
  for (const r of rows.filter(used)) {
    const { referer, title } = appParts(r.app)
    const url = originOf(referer)
    const name = title?.trim() || null
    if (name === null && url === null) {
      none = add(none, r)
      continue
    }
    const key = JSON.stringify([name, url])
    const seen = apps.get(key)
    apps.set(key, { title: name, url, counts: seen ? add(seen.counts, r) : r })
  }
  const label = (a: { title: string | null; url: string | null }) => a.title ?? a.url ?? ''
  return {
    apps: [...apps.values()]
      .map((a) => ({ title: a.title, url: a.url, ...counted(a.counts) }))
      .sort((a, b) => compare(by)(a, b) || label(a).localeCompare(label(b)))
      .slice(0, limit)
      .map((a, i) => ({ rank: i + 1, ...a })),
    unattributed: counted(none),
  }
}
