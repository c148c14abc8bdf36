// Protocol → adapter: the only place adapters are enumerated.
import type { Protocol } from '../catalog/schema.ts'
import { anthropic } from './anthropic.ts'
import { azure } from './azure.ts'
import { gemini } from './gemini.ts'
import { openaiCompletions } from './openai-completions.ts'
import { openaiEmbeddings } from './openai-embeddings.ts'
import { openai } from './openai.ts'
import type { ProviderAdapter } from './types.ts'

/** The OpenAI wire with its embeddings and legacy completions parts, joined here because those files import openai.ts. */
const openaiWire: ProviderAdapter<null> = { ...openai, embeddings: openaiEmbeddings, completions: openaiCompletions }

const ADAPTERS: Partial<Record<Protocol, ProviderAdapter>> = {
  openai: openaiWire,
  anthropic,
  gemini,
  azure,
  // The built-in fake upstream speaks the OpenAI wire format in-process.
  fake: openaiWire,
}

/** undefined for protocols whose adapter is not built yet; the planner lists such endpoints as unavailable. */
export const adapterFor = (protocol: Protocol): ProviderAdapter | undefined => ADAPTERS[protocol]
