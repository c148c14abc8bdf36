// npm run catalog:sync [-- --openrouter models.json] [--report report.json] [--check]
// Regenerates src/catalog/data/{providers,models}.json from the pinned sources, the reviewed
// overrides (src/catalog/overrides) and the operator's extensions (src/catalog/extensions.json),
// with no network. --check writes nothing and exits 1 if the committed files differ (docs/catalog.md).
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { generatedFiles } from '../src/catalog/import/serialize.ts'
import { summarize } from '../src/catalog/import/report.ts'
import { runImport } from './catalog/load.ts'

const { values } = parseArgs({
  options: { openrouter: { type: 'string' }, report: { type: 'string' }, check: { type: 'boolean', default: false } },
})
const out = await runImport(values.openrouter ? { openrouterFile: values.openrouter } : {})
const root = new URL('../', import.meta.url)
let stale = 0
for (const [path, content] of Object.entries(generatedFiles(out))) {
  const current = await readFile(new URL(path, root), 'utf8').catch(() => '')
  if (current === content) continue
  stale++
  if (values.check) console.error(`${path} differs from what the importer produces`)
  else await writeFile(new URL(path, root), content)
}
console.log(summarize(out.report))
if (values.report) await writeFile(values.report, `${JSON.stringify(out.report, null, 2)}\n`)
if (values.check && stale > 0) {
  console.error('Run npm run catalog:sync and commit the result.')
  process.exit(1)
}
console.log(values.check ? 'catalog is up to date' : stale ? `wrote ${stale} file(s)` : 'catalog unchanged')
