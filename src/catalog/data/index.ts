// The catalog as committed data. Each file is reviewed by hand; the catalog
// unit test validates the whole against src/catalog/schema.ts.
import type { CatalogInput } from '../schema.ts'
import providers from './providers.json' with { type: 'json' }
import fake from './models/fake.json' with { type: 'json' }
import openai from './models/openai.json' with { type: 'json' }
import anthropic from './models/anthropic.json' with { type: 'json' }
import google from './models/google.json' with { type: 'json' }
import metaLlama from './models/meta-llama.json' with { type: 'json' }
import mistralai from './models/mistralai.json' with { type: 'json' }
import deepseek from './models/deepseek.json' with { type: 'json' }
import qwen from './models/qwen.json' with { type: 'json' }
import xAI from './models/x-ai.json' with { type: 'json' }
import moonshotai from './models/moonshotai.json' with { type: 'json' }

export const catalogData = {
  providers,
  models: [
    ...fake,
    ...openai,
    ...anthropic,
    ...google,
    ...metaLlama,
    ...mistralai,
    ...deepseek,
    ...qwen,
    ...xAI,
    ...moonshotai,
  ],
} as CatalogInput
