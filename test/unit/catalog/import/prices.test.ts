// Source prices to whole microdollars per million tokens, genai-prices' matching and history.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  currentPrice, fromGenai, fromModelsDev, fromOpenRouter, genaiModelFor, isFree, matches, microPerMillion, type GenaiProvider,
} from '../../../../src/catalog/import/prices.ts'

describe('microPerMillion', () => {
  it('turns dollars per million into whole microdollars without float noise', () => {
    expect(microPerMillion(0.15)).toBe(150_000)
    expect(microPerMillion(0.075)).toBe(75_000)
    expect(microPerMillion(2.5)).toBe(2_500_000)
    expect(microPerMillion(0.0000001)).toBe(0)
  })

  it('always gives an integer, within half a microdollar', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1000, noNaN: true }), (d) => {
      const m = microPerMillion(d)
      expect(Number.isInteger(m)).toBe(true)
      expect(Math.abs(m - d * 1e6)).toBeLessThanOrEqual(0.5 + 1e-6)
    }))
  })
})

describe('genai-prices data', () => {
  const provider: GenaiProvider = {
    id: 'host',
    name: 'Host',
    models: [
      { id: 'a-model', match: { or: [{ equals: 'a-model' }, { equals: 'a-model-2025-01-02' }] }, prices: { input_mtok: 1, output_mtok: 2, cache_read_mtok: 0.1 } },
      {
        id: 'b-model',
        match: { starts_with: 'b-model' },
        prices: [
          { prices: { input_mtok: 4, output_mtok: 8 } },
          { constraint: { type: 'time_of_date', start_date: undefined }, prices: { input_mtok: 2, output_mtok: 4 } },
          { constraint: { type: 'start_date', start_date: '2026-01-01' }, prices: { input_mtok: 3, output_mtok: 6 } },
        ],
      },
      { id: 'tiered', match: { equals: 'tiered' }, prices: { input_mtok: { base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] }, output_mtok: 10 } },
      { id: 'free', match: { equals: 'free' }, prices: {} },
      { id: 'image-only', match: { equals: 'image-only' }, prices: { output_image_mtok: 30 } },
    ],
  }

  it('matches as genai-prices does, case-insensitively, with its dashed-date fallback', () => {
    expect(matches({ and: [{ starts_with: 'gpt' }, { regex: '^(?!.*-tts)' }] }, 'gpt-4o')).toBe(true)
    expect(matches({ and: [{ starts_with: 'gpt' }, { regex: '^(?!.*-tts)' }] }, 'gpt-4o-tts')).toBe(false)
    expect(genaiModelFor(provider, 'A-Model')?.id).toBe('a-model')
    expect(genaiModelFor(provider, 'a-model-20250102')?.id).toBe('a-model')
    expect(genaiModelFor(provider, 'b-model-large')?.id).toBe('b-model')
    expect(genaiModelFor(provider, 'c-model')).toBeUndefined()
  })

  it('takes the latest dated price and leaves time-of-day discounts out', () => {
    expect(currentPrice(provider.models[1]!)).toEqual({ price: { input_mtok: 3, output_mtok: 6 }, since: '2026-01-01' })
    expect(fromGenai(provider.models[0]!)?.pricing).toEqual({ prompt: 1_000_000, completion: 2_000_000, cache_read: 100_000 })
  })

  it('keeps the base tier and says so; a free model is free; an image model has no token price', () => {
    expect(fromGenai(provider.models[2]!)).toEqual({ pricing: { prompt: 1_250_000, completion: 10_000_000 }, tiered: true })
    expect(isFree(fromGenai(provider.models[3]!)!.pricing)).toBe(true)
    expect(fromGenai(provider.models[4]!)).toBeUndefined()
  })
})

describe('other sources', () => {
  it('reads models.dev costs and OpenRouter per-token strings', () => {
    expect(fromModelsDev({ input: 0.59, output: 0.79 })).toEqual({ prompt: 590_000, completion: 790_000 })
    expect(fromModelsDev({ input: 1 })).toBeUndefined()
    expect(fromOpenRouter({ prompt: '0.00000015', completion: '0.0000006', input_cache_read: '0.000000075', request: '0' }))
      .toEqual({ prompt: 150_000, completion: 600_000, cache_read: 75_000 })
    expect(fromOpenRouter({ prompt: '-1', completion: '-1' })).toBeUndefined() // OpenRouter's "variable" routers
  })
})
