// Anthropic-spelled model ids (what Claude Code sends) → catalog ids, and the real catalog resolves them.
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../../../src/catalog/lookup.ts'
import { resolveModel } from '../../../../src/routing/variants.ts'
import { catalogModelId } from '../../../../src/skins/messages/model-ids.ts'

describe('catalogModelId', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 'anthropic/claude-sonnet-4.5'],
    ['claude-sonnet-4-5', 'anthropic/claude-sonnet-4.5'],
    ['claude-opus-4-1', 'anthropic/claude-opus-4.1'],
    ['claude-opus-4-1-20250805', 'anthropic/claude-opus-4.1'],
    ['claude-3-5-haiku-20241022', 'anthropic/claude-3.5-haiku'],
    ['claude-3-5-haiku-latest', 'anthropic/claude-3.5-haiku'],
    ['claude-haiku-4-5-20251001', 'anthropic/claude-haiku-4.5'],
    ['claude-opus-4-5-20251101', 'anthropic/claude-opus-4.5'],
    ['claude-sonnet-4-20250514', 'anthropic/claude-sonnet-4'],
    ['claude-opus-4', 'anthropic/claude-opus-4'],
    ['claude-3-7-sonnet-20250219', 'anthropic/claude-3.7-sonnet'],
    ['claude-sonnet-4-5:nitro', 'anthropic/claude-sonnet-4.5:nitro'],
  ])('%s → %s', (id, want) => {
    expect(catalogModelId(id)).toBe(want)
  })

  it.each([
    'anthropic/claude-sonnet-4.5',
    'anthropic/claude-3-5-haiku-20241022',
    'openai/gpt-4o-mini',
    '~anthropic/claude-sonnet-latest',
    'openrouter/auto',
    'gpt-4o',
    'fake/echo',
  ])('%s passes unchanged', (id) => {
    expect(catalogModelId(id)).toBe(id)
  })

  it("every Anthropic endpoint's own upstream id (what Anthropic's API calls the model) resolves to that catalog model", () => {
    const index = catalogIndex()
    const anthropic = index.catalog.models.filter((m) => m.id.startsWith('anthropic/') && !m.id.includes(':'))
    expect(anthropic.length).toBeGreaterThan(3)
    for (const model of anthropic) {
      for (const endpoint of model.endpoints.filter((e) => e.provider === 'anthropic')) {
        expect(resolveModel(catalogModelId(endpoint.upstream_id), index)?.model.id, endpoint.upstream_id).toBe(model.id)
      }
    }
  })
})
