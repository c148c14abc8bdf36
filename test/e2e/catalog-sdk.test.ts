// The whole catalog through @openrouter/sdk, which parses strictly: models.list() (every output
// modality) and endpoints.list for every model, against the gateway started as npm start starts it.
import { OpenRouter } from '@openrouter/sdk'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { catalogData } from '../../src/catalog/data/index.ts'

let client: OpenRouter

beforeAll(() => {
  client = new OpenRouter({ apiKey: inject('apiKey'), serverURL: inject('baseURL'), retryConfig: { strategy: 'none' } })
})

/** Runs `work` over `items`, `width` at a time. */
const pool = async <T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await work(items[i]!)
    }
  }))
  return out
}

describe('the whole catalog through @openrouter/sdk', () => {
  it('models.list() parses every model', async () => {
    const page = await client.models.list({ outputModalities: 'all' })
    const ids = (page as unknown as { result: { data: { id: string }[] } }).result.data.map((m) => m.id)
    expect(ids.slice().sort()).toEqual(catalogData.models.map((m) => m.id).sort())
  })

  it('endpoints.list parses for every model, with every endpoint', async () => {
    const failures: string[] = []
    await pool(catalogData.models, 8, async (m) => {
      const [author, slug] = m.id.split('/') as [string, string]
      try {
        const res = await client.endpoints.list({ author, slug })
        if (res.data.endpoints.length !== m.endpoints.length) failures.push(`${m.id}: ${res.data.endpoints.length} of ${m.endpoints.length} endpoints`)
      } catch (err) {
        failures.push(`${m.id}: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`)
      }
    })
    expect(failures).toEqual([])
  }, 120_000)
})
