// The Models page's filters (src/dashboard/client/models-data.ts).
import { describe, expect, it } from 'vitest'
import { dataPolicyText, filterModels, NO_FILTER, type Model } from '../../../src/dashboard/client/models-data.ts'

const model = (id: string, over: Partial<Model> = {}): Model => ({
  id, name: id, description: '', context_length: 8192, architecture: { input_modalities: ['text'], output_modalities: ['text'] },
  pricing: { prompt: '0.000001', completion: '0.000002' }, supported_parameters: [], ...over,
})

const MODELS = [
  model('acme/small', { description: 'A small fast model' }),
  model('acme/vision', { context_length: 200_000, architecture: { input_modalities: ['text', 'image'], output_modalities: ['text'] }, supported_parameters: ['tools'] }),
  model('other/thinker', { pricing: { prompt: '0.00001', completion: '0.00003' }, supported_parameters: ['reasoning', 'tools'] }),
  model('other/embed', { architecture: { input_modalities: ['text'], output_modalities: ['embeddings'] }, pricing: { prompt: '0', completion: '0' } }),
]
const ids = (f: Partial<typeof NO_FILTER>) => filterModels(MODELS, { ...NO_FILTER, ...f }).map((m) => m.id)

describe('model filters', () => {
  it('keeps everything without a filter', () => {
    expect(ids({})).toEqual(MODELS.map((m) => m.id))
  })

  it('searches id, name and description, every word', () => {
    expect(ids({ text: 'SMALL fast' })).toEqual(['acme/small'])
    expect(ids({ text: 'other' })).toEqual(['other/thinker', 'other/embed'])
    expect(ids({ text: 'nothing-like-this' })).toEqual([])
  })

  it('filters by modality, author, context, price, tools and reasoning', () => {
    expect(ids({ input: 'image' })).toEqual(['acme/vision'])
    expect(ids({ output: 'embeddings' })).toEqual(['other/embed'])
    expect(ids({ author: 'other' })).toEqual(['other/thinker', 'other/embed'])
    expect(ids({ minContext: 128_000 })).toEqual(['acme/vision'])
    expect(ids({ maxPromptPerM: 0 })).toEqual(['other/embed'])
    expect(ids({ maxPromptPerM: 1 })).toEqual(['acme/small', 'acme/vision', 'other/embed'])
    expect(ids({ tools: true })).toEqual(['acme/vision', 'other/thinker'])
    expect(ids({ reasoning: true })).toEqual(['other/thinker'])
    expect(ids({ tools: true, author: 'acme' })).toEqual(['acme/vision'])
  })
})

describe('provider filter and data policy', () => {
  it('keeps only the models the chosen provider serves, and none until that is known', () => {
    const served = new Set(['acme/vision', 'other/embed'])
    expect(filterModels(MODELS, { ...NO_FILTER, provider: 'p' }, served).map((m) => m.id)).toEqual(['acme/vision', 'other/embed'])
    expect(filterModels(MODELS, { ...NO_FILTER, provider: 'p', tools: true }, served).map((m) => m.id)).toEqual(['acme/vision'])
    expect(filterModels(MODELS, { ...NO_FILTER, provider: 'p' }, null)).toEqual([])
    expect(filterModels(MODELS, NO_FILTER, served)).toHaveLength(MODELS.length)
  })

  it('says an endpoint\'s data policy in words', () => {
    expect(dataPolicyText({ training: false, retains_prompts: false, zdr: true })).toBe('Zero data retention')
    expect(dataPolicyText({ training: true, retains_prompts: true, zdr: false })).toBe('Trains on prompts; retains prompts')
    expect(dataPolicyText({ training: false, retains_prompts: false, zdr: false })).toBe('No training; no retention')
    expect(dataPolicyText(undefined)).toBe('Unknown')
  })
})
