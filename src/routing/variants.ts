// PURE: model ids to catalog models (docs/compatibility.md#model-ids-and-variants). Static variants (`:free`) are
// their own catalog rows; dynamic ones change routing: `:floor` sorts by price,
// `:nitro` by throughput; `:exacto` and the legacy `:beta` resolve to the base model.
import type { CatalogIndex } from '../catalog/lookup.ts'
import type { Model } from '../catalog/schema.ts'

export type Variant = 'none' | 'floor' | 'nitro'

const DYNAMIC: Record<string, Variant> = { floor: 'floor', nitro: 'nitro', exacto: 'none', beta: 'none' }

export interface Resolved {
  model: Model
  variant: Variant
  /** Resolved through an alias (e.g. `~anthropic/claude-sonnet-latest`). */
  alias: boolean
}

/** Case-insensitive; a static row (`x:free`) wins over treating the suffix as a dynamic variant. */
export const resolveModel = (id: string, index: CatalogIndex): Resolved | undefined => {
  const wanted = id.trim().toLowerCase()
  const direct = index.models.get(wanted)
  if (direct) return { model: direct, variant: 'none', alias: false }
  const aliased = index.aliases.get(wanted)
  if (aliased) return { model: aliased, variant: 'none', alias: true }
  const at = wanted.lastIndexOf(':')
  if (at === -1) return undefined
  const variant = DYNAMIC[wanted.slice(at + 1)]
  if (variant === undefined) return undefined
  const base = resolveModel(wanted.slice(0, at), index)
  return base && { ...base, variant: base.variant === 'none' ? variant : base.variant }
}
