// Protocol → adapter: the only place adapters are enumerated.
import type { Protocol } from '../catalog/schema.ts'
import { anthropic } from './anthropic.ts'
import { gemini } from './gemini.ts'
import { openai } from './openai.ts'
import type { ProviderAdapter } from './types.ts'

const ADAPTERS: Partial<Record<Protocol, ProviderAdapter>> = {
  openai,
  anthropic,
  gemini,
  // The built-in fake upstream speaks the OpenAI wire format in-process.
  fake: openai,
}

/** undefined for protocols whose adapter is not built yet; the planner lists such endpoints as unavailable. */
export const adapterFor = (protocol: Protocol): ProviderAdapter | undefined => ADAPTERS[protocol]
