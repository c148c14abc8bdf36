// The catalog as committed data. Each file is reviewed by hand; the catalog
// unit test validates the whole against src/catalog/schema.ts.
import type { CatalogInput } from '../schema.ts'
import providers from './providers.json' with { type: 'json' }
import fake from './models/fake.json' with { type: 'json' }

export const catalogData = {
  providers,
  models: [...fake],
} as CatalogInput
