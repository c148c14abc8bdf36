// Legacy completions on hosts with their own /completions (the adapters' completions
// part): the prompt goes as it is, raw text to continue, which chat cannot express. The
// answer comes back canonical (the text as `message.content`), like every other endpoint's.
import type { CompletionsAdapter, ProviderAdapter, TextCompletionResponse, CanonicalResponse } from '../../providers/types.ts'
import type { CompletionRequest } from '../../schemas/completion-request.ts'
import type { NativeOperation } from '../skin.ts'

const partOf = (adapter: ProviderAdapter): CompletionsAdapter => {
  if (!adapter.completions) throw new Error('this protocol has no legacy completions')
  return adapter.completions
}

export const canonicalOfText = (body: TextCompletionResponse): CanonicalResponse => ({
  upstreamId: body.upstreamId,
  systemFingerprint: body.systemFingerprint,
  choices: body.choices.map((c) => ({
    index: c.index,
    message: { role: 'assistant', content: c.text, refusal: null, reasoning: null },
    finish_reason: c.finish_reason,
    native_finish_reason: c.native_finish_reason,
    logprobs: c.logprobs,
  })),
  usage: body.usage,
})

export const nativeCompletions: NativeOperation<CompletionRequest> = {
  // Some OpenAI-wire hosts serve chat only (catalog quirk legacy_completions: false).
  serves: (adapter, target) => adapter.completions !== undefined && target.provider.quirks?.legacy_completions !== false,
  build: (adapter, target, req, o) =>
    partOf(adapter).toUpstream({ ...req, stream: o.stream, ...(o.maxTokens === undefined ? {} : { max_tokens: o.maxTokens }) }, target),
  parse: (adapter, json) => canonicalOfText(partOf(adapter).fromUpstream(json)),
  decoder: (adapter) => {
    const part = partOf(adapter)
    return { initialState: () => null, fromUpstreamEvent: (event) => part.fromUpstreamEvent(event, null) }
  },
}
