// The committed catalog is exactly what `npm run catalog:sync` produces from the pinned sources,
// the overrides and the extensions, with no network; and the importer is deterministic.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { generatedFiles } from '../../src/catalog/import/serialize.ts'
import { runImport } from '../../scripts/catalog/load.ts'

const root = new URL('../../', import.meta.url)

describe('npm run catalog:sync', () => {
  it('reproduces the committed catalog byte for byte (run it and commit the result if this fails)', async () => {
    const files = generatedFiles(await runImport())
    expect(Object.keys(files).length).toBeGreaterThan(0)
    for (const [path, content] of Object.entries(files)) {
      const committed = await readFile(new URL(path, root), 'utf8')
      // Compare lengths first: a diff of a megabyte of JSON is no use to read.
      expect(committed.length, path).toBe(content.length)
      expect(committed === content, `${path} differs from the importer's output`).toBe(true)
    }
  })

  it('gives the same bytes twice', async () => {
    const [a, b] = [generatedFiles(await runImport()), generatedFiles(await runImport())]
    expect(a).toEqual(b)
  })

  it('leaves nothing it cannot price or place unreported', async () => {
    const { report, models } = await runImport()
    expect(report.missing_sources).toEqual([])
    expect(report.problems).toEqual([])
    expect(report.unpriced).toEqual([])
    // Every endpoint cites where its price came from.
    expect(models.flatMap((m) => m.endpoints.filter((e) => !e.price_source).map((e) => `${m.id} @ ${e.provider}`))).toEqual([])
  })
})
