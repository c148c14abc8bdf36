// GET /rankings (docs/compatibility.md#get-rankings): its shape, and what the page shows of an
// app and a ranked figure. Pure.

export type RankBy = 'tokens' | 'requests'
export interface Counted { rank: number; requests: number; prompt_tokens: number; completion_tokens: number; total_tokens: number }
export interface RankedModel extends Counted { model: string }
export interface RankedApp extends Counted { title: string | null; url: string | null }
export interface Rankings {
  period: '1d' | '7d' | '30d'
  order: RankBy
  from: string
  to: string
  models: RankedModel[]
  apps: RankedApp[]
  unattributed: Omit<Counted, 'rank'>
}

/** An app's name on the board: its title, else its site's host. */
export const appName = (a: RankedApp) => a.title ?? (a.url ? new URL(a.url).host : '(unnamed)')

/** The figure the board is ordered by. */
export const figureOf = (c: Omit<Counted, 'rank'>, by: RankBy) => (by === 'tokens' ? c.total_tokens : c.requests)

/** Each entry's share of the listed total, as a percentage with one decimal. */
export const shares = (items: Omit<Counted, 'rank'>[], by: RankBy): string[] => {
  const total = items.reduce((s, c) => s + figureOf(c, by), 0)
  return items.map((c) => (total === 0 ? '–' : `${((figureOf(c, by) / total) * 100).toFixed(1)}%`))
}
