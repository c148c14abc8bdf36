// PURE: region tags and matching (docs/routing.md#regions). Tags are lower-case
// continent codes (na, sa, eu, as, oc, af) or ISO 3166 country codes; a country
// matches a request for its continent, never the other way round.

const CONTINENTS = new Set(['na', 'sa', 'eu', 'as', 'oc', 'af', 'an'])

/** Countries of the regions providers host in (extend as the catalog grows). */
const CONTINENT_OF: Record<string, string> = {
  us: 'na', ca: 'na', mx: 'na',
  br: 'sa', ar: 'sa', cl: 'sa', co: 'sa',
  de: 'eu', fr: 'eu', gb: 'eu', uk: 'eu', ie: 'eu', nl: 'eu', be: 'eu', se: 'eu', fi: 'eu', no: 'eu', dk: 'eu',
  it: 'eu', es: 'eu', pt: 'eu', pl: 'eu', ch: 'eu', at: 'eu', cz: 'eu', is: 'eu',
  jp: 'as', kr: 'as', cn: 'as', hk: 'as', tw: 'as', sg: 'as', in: 'as', id: 'as', th: 'as', my: 'as', ae: 'as', il: 'as', sa: 'as',
  au: 'oc', nz: 'oc',
  za: 'af', ng: 'af', ke: 'af', eg: 'af', ma: 'af',
}

export const isContinent = (tag: string): boolean => CONTINENTS.has(tag)

export const continentOf = (tag: string): string | undefined => (isContinent(tag) ? tag : CONTINENT_OF[tag])

/** Does an endpoint tagged `tags` satisfy a request for region `wanted`? */
export const regionMatches = (tags: string[], wanted: string): boolean =>
  tags.some((t) => t === wanted || (isContinent(wanted) && continentOf(t) === wanted))

/** A comma list from a header or body field, lower-cased; invalid entries are reported, not dropped silently. */
export const parseRegions = (values: (string | null | undefined)[]): { regions: string[]; invalid: string[] } => {
  const all = values.flatMap((v) => (v ?? '').split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean)
  const valid = (s: string) => /^[a-z]{2}$/.test(s)
  return { regions: [...new Set(all.filter(valid))], invalid: all.filter((s) => !valid(s)) }
}

/**
 * Nearness of an endpoint to the caller's edge location: 2 same country, 1 same
 * continent, 0 otherwise. Used only to break ties (and nudge load balancing).
 */
export const proximity = (tags: string[], caller: { country?: string; continent?: string } | undefined): number => {
  if (!caller) return 0
  if (caller.country && tags.includes(caller.country)) return 2
  if (caller.continent && tags.some((t) => continentOf(t) === caller.continent)) return 1
  return 0
}
