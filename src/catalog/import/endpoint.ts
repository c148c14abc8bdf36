// PURE: one catalog endpoint from a priced, mapped offer and its provider's import defaults.
import type { Endpoint, Pricing } from '../schema.ts'
import type { Offer } from './offers.ts'
import type { PinnedEndpoint, ProviderImport } from './schema.ts'

/** What the model's other listings say, for fields this host's listing leaves out. */
export interface ModelFallback {
  context?: number
  max_output?: number
  tools?: boolean
  reasoning?: boolean
  images?: boolean
}

type Quantization = Endpoint['quantization']

/** The output limit of an endpoint no source gives one for. */
export const UNKNOWN_MAX_OUTPUT = 32_768

/** The quantization a host id spells out (`-FP8`, `-Instruct-bf16`, `-awq`). */
export const quantizationOf = (upstreamId: string): Quantization | undefined => {
  const words = upstreamId.toLowerCase().split(/[-_:/.]/)
  const table: [string, Quantization][] = [
    ['nvfp4', 'nvfp4'], ['mxfp4', 'mxfp4'], ['fp4', 'fp4'], ['fp6', 'fp6'], ['fp8', 'fp8'], ['fp16', 'fp16'],
    ['bf16', 'bf16'], ['fp32', 'fp32'], ['int8', 'int8'], ['int4', 'int4'], ['awq', 'int4'],
  ]
  return table.find(([w]) => words.includes(w))?.[1]
}

/** supported_parameters from the host's sampling parameters and the endpoint's capabilities, in a stable order. */
export const parametersFor = (
  imp: ProviderImport, caps: { tools: boolean; json_schema: boolean; reasoning: boolean },
): string[] => {
  const params = [...imp.parameters]
  if (caps.tools) params.push('tools', 'tool_choice')
  if (caps.json_schema) params.push('response_format', 'structured_outputs')
  if (caps.reasoning) params.push('reasoning', 'include_reasoning', ...(imp.reasoning_parameters ?? []))
  return [...new Set(params)]
}

export interface EndpointInput {
  offer: Offer
  imp: ProviderImport
  pricing: Pricing
  priceSource: string
  fallback: ModelFallback
  pin?: PinnedEndpoint
}

/** The endpoint, or the reason it cannot be listed (no context length in any source). */
export const buildEndpoint = ({ offer, imp, pricing, priceSource, fallback, pin }: EndpointInput): Endpoint | 'no_context' => {
  const context = pin?.context_length ?? offer.context ?? fallback.context
  if (!context) return 'no_context'
  // max_output bounds credit holds: unknown, it is capped rather than set to a million-token context.
  const maxOutput = Math.min(pin?.max_output ?? offer.max_output ?? fallback.max_output ?? UNKNOWN_MAX_OUTPUT, context)
  const tools = offer.tools ?? fallback.tools ?? imp.assume?.tools ?? false
  const reasoning = offer.reasoning ?? fallback.reasoning ?? imp.assume?.reasoning ?? false
  const computed = {
    tools,
    tool_choice: tools,
    json_schema: imp.json_schema && (offer.supported_parameters?.includes('response_format') ?? true),
    images: offer.images ?? fallback.images ?? imp.assume?.images ?? false,
    reasoning,
  }
  const capabilities = pin?.capabilities ?? computed
  const supported = pin?.supported_parameters ?? offer.supported_parameters ?? parametersFor(imp, capabilities)
  return {
    provider: offer.provider,
    upstream_id: offer.upstream_id,
    ...(pin?.tag ? { tag: pin.tag } : {}),
    pricing,
    context_length: context,
    max_output: maxOutput,
    quantization: pin?.quantization ?? quantizationOf(offer.upstream_id) ?? imp.quantization ?? 'unknown',
    regions: pin?.regions ?? imp.regions,
    capabilities,
    supported_parameters: supported,
    price_source: priceSource,
  }
}
