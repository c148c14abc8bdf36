// Reasoning settings, both ways. Out: what an OpenAI-wire host is sent for the
// request's reasoning settings, from its catalog quirks (no per-host code). Back:
// `reasoning: {exclude: true}` (or legacy `include_reasoning: false`) means the model
// may reason but the client gets none of it, on every wire, whether or not the host
// understood the setting, so returned reasoning is removed here too.
import type { CanonicalChunkChoice, CanonicalResponse, CanonicalRequest, ChunkDelta, Target } from './types.ts'

type ReasoningSettings = Pick<CanonicalRequest, 'reasoning' | 'reasoning_effort' | 'include_reasoning'>

/** The client asked not to be shown reasoning. */
export const hidesReasoning = (req: ReasoningSettings): boolean =>
  req.reasoning?.exclude === true || req.include_reasoning === false

/** The client turned reasoning off: effort "none", `enabled: false` or a zero budget. */
export const turnsReasoningOff = (req: ReasoningSettings): boolean =>
  (req.reasoning?.effort ?? req.reasoning_effort) === 'none' || req.reasoning?.enabled === false || req.reasoning?.max_tokens === 0

/**
 * Body fields for the host's own reasoning switches (`provider.quirks.reasoning`): set when
 * the client hides reasoning, and when it turns reasoning off on a model where it is optional.
 * Only reasoning endpoints get them; a host that takes none simply has no quirk.
 */
export const hostReasoningFields = (req: ReasoningSettings, target: Target): Record<string, unknown> => {
  const quirk = target.provider.quirks?.reasoning
  if (!quirk || !target.endpoint.capabilities.reasoning) return {}
  const off = turnsReasoningOff(req) && target.model.reasoning?.mandatory !== true
  return { ...(hidesReasoning(req) ? quirk.exclude : {}), ...(off ? quirk.off : {}) }
}

/** A whole answer with its reasoning text and details removed (tool calls, content and usage stay). */
export const withoutReasoning = (response: CanonicalResponse): CanonicalResponse => ({
  ...response,
  choices: response.choices.map((choice) => {
    const { reasoning_details: _, ...message } = choice.message
    return { ...choice, message: { ...message, reasoning: null } }
  }),
})

/**
 * Stream choices with their reasoning deltas removed. A choice left with an empty delta
 * and no finish reason carried only reasoning, so it is dropped.
 */
export const choicesWithoutReasoning = (choices: CanonicalChunkChoice[]): CanonicalChunkChoice[] =>
  choices.flatMap((choice) => {
    const { reasoning: _r, reasoning_details: _d, ...rest } = choice.delta
    const delta: ChunkDelta = rest
    if (Object.keys(delta).length === 0 && choice.finish_reason === null) return []
    return [{ ...choice, delta }]
  })
