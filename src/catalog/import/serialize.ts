// PURE: the generated files' bytes. Two-space JSON with a final newline; the build already sorts
// everything, so the same catalog always serializes to the same bytes.
import type { BuildOutput } from './build.ts'

export const GENERATED_PROVIDERS = 'src/catalog/data/providers.json'
export const GENERATED_MODELS = 'src/catalog/data/models.json'

export const serialize = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

/** Path → content of every file the importer writes. */
export const generatedFiles = (out: BuildOutput): Record<string, string> => ({
  [GENERATED_PROVIDERS]: serialize(out.providers),
  [GENERATED_MODELS]: serialize(out.models),
})
