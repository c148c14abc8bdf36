// What an import left out or guessed, for a maintainer to extend the rules (printed by npm run catalog:sync).
export interface Report {
  counts: { models: number; endpoints: number; providers: number; not_text: number; excluded: number }
  /** Listed upstream ids no rule maps to a canonical model (several candidates: ambiguous); `key` is what ids.json aliases take. */
  unmapped: { provider: string; upstream_id: string; key: string; ambiguous?: string[] }[]
  /** Mapped only by the loose rules (serving words dropped, words reordered): worth a look. */
  guessed: string[]
  /** Mapped, but no source prices them. */
  unpriced: { provider: string; upstream_id: string }[]
  /** No source gives a context length for the model. */
  no_context: { model: string; provider: string; upstream_id: string }[]
  /** Two upstream ids of one host mapped to one model: the first is kept. */
  duplicates: { model: string; slug: string; kept: string; dropped: string }[]
  /** Endpoints priced only by overrides/endpoints.json (no source has them): re-check by hand. */
  override_priced: string[]
  /** Prices with tiers above a prompt size: the base tier is kept. */
  tiered: string[]
  /** Providers with import rules that ended up with no endpoint (left out of providers.json). */
  idle_providers: string[]
  missing_sources: string[]
  problems: string[]
}

export const emptyReport = (): Report => ({
  counts: { models: 0, endpoints: 0, providers: 0, not_text: 0, excluded: 0 },
  unmapped: [], guessed: [], unpriced: [], no_context: [], duplicates: [], override_priced: [], tiered: [],
  idle_providers: [], missing_sources: [], problems: [],
})

/** A short summary: counts, then each list's length and first entries. */
export const summarize = (r: Report, show = 8): string => {
  const lines = [`${r.counts.models} models, ${r.counts.endpoints} endpoints, ${r.counts.providers} providers (${r.counts.not_text} non-chat listings skipped, ${r.counts.excluded} excluded by ids.json)`]
  const list = (title: string, items: string[]) => {
    if (items.length === 0) return
    lines.push(`${title}: ${items.length}`)
    for (const item of items.slice(0, show)) lines.push(`  ${item}`)
    if (items.length > show) lines.push(`  … ${items.length - show} more (--report FILE for all)`)
  }
  list('unmapped upstream ids', r.unmapped.map((u) => `${u.provider} ${u.upstream_id} [${u.key}]${u.ambiguous ? ` (ambiguous: ${u.ambiguous.join(', ')})` : ''}`))
  list('mapped by the loose rules', r.guessed)
  list('unpriced', r.unpriced.map((u) => `${u.provider} ${u.upstream_id}`))
  list('no context length', r.no_context.map((u) => `${u.model} @ ${u.provider} (${u.upstream_id})`))
  list('duplicates dropped', r.duplicates.map((d) => `${d.model} @ ${d.slug}: kept ${d.kept}, dropped ${d.dropped}`))
  list('priced by overrides only', r.override_priced)
  list('tiered prices (base tier kept)', r.tiered)
  list('idle providers (left out)', r.idle_providers)
  list('missing sources', r.missing_sources)
  list('problems', r.problems)
  return lines.join('\n')
}
