// Every model id the README and the docs use exists in the catalog (as a row, an alias, or a row
// with a dynamic variant), so examples keep working as the catalog is re-synced.
import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { catalogData } from '../../src/catalog/data/index.ts'

const root = new URL('../../', import.meta.url)
const DYNAMIC_VARIANTS = [':nitro', ':floor', ':exacto', ':beta']

const documents = async (): Promise<{ path: string; text: string }[]> => {
  const docs = (await readdir(new URL('docs/', root))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)
  return Promise.all(['README.md', ...docs].map(async (path) => ({ path, text: await readFile(new URL(path, root), 'utf8') })))
}

describe('model ids in the README and docs', () => {
  it('all resolve in the catalog', async () => {
    const ids = new Set(catalogData.models.map((m) => m.id))
    const aliases = new Set(catalogData.models.flatMap((m) => m.aliases ?? []))
    const authors = new Set(catalogData.models.map((m) => m.id.slice(0, m.id.indexOf('/'))))
    const resolves = (id: string) =>
      ids.has(id) || aliases.has(id) || DYNAMIC_VARIANTS.some((v) => id.endsWith(v) && ids.has(id.slice(0, -v.length)))
    const used: string[] = []
    const missing: string[] = []
    for (const { path, text } of await documents()) {
      // Quoted or in code: `openai/gpt-4o-mini`, "fake/echo:free". Paths (src/…) have no catalog author.
      for (const [, id] of text.matchAll(/[`"'](~?[a-z0-9-]+\/[a-z0-9._-]+(?::[a-z]+)?)[`"']/g)) {
        if (!authors.has(id!.replace(/^~/, '').split('/')[0]!)) continue
        used.push(id!)
        if (!resolves(id!)) missing.push(`${path}: ${id}`)
      }
    }
    expect(used.length).toBeGreaterThan(3)
    expect(missing).toEqual([])
  })
})
