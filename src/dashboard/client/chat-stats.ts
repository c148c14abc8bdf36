// A streamed reply's figures as the Playground and Compare show them. Pure (no DOM), so the
// unit tests can check it.

export interface StreamResult {
  id: string | null
  model: string
  provider: string | null
  text: string
  reasoning: string
  finishReason: string | null
  promptTokens: number | null
  completionTokens: number | null
  /** USD, as the usage chunk reports it. */
  cost: number | null
  /** From sending the request to the first content (or reasoning) token, ms. */
  ttftMs: number | null
  totalMs: number
  /** A mid-stream error's message (the stream still ends with usage). */
  error: string | null
}

/** Tokens per second of the streamed part: completion tokens over the time after the first token. */
export const tokensPerSecond = (r: Pick<StreamResult, 'completionTokens' | 'ttftMs' | 'totalMs'>) => {
  if (!r.completionTokens || r.ttftMs === null) return null
  const seconds = (r.totalMs - r.ttftMs) / 1000
  return seconds > 0 ? r.completionTokens / seconds : null
}
