// Claude Code and the Anthropic SDKs name models the way Anthropic's API does:
// author-less, often dated, versions spelled with dashes (`claude-sonnet-4-5-20250929`,
// `claude-opus-4-1`, `claude-3-5-haiku-20241022`). The catalog spells them as
// OpenRouter does: `anthropic/claude-sonnet-4.5`, `anthropic/claude-3.5-haiku`.
// Pure string mapping; whether the result exists is the planner's question (an
// unknown one is its usual 400), so catalog ids, aliases and variants pass unchanged.

/** A release date (`-20250929`) or `-latest`, which Anthropic appends to a model's name. */
const DATED = /-(?:\d{8}|latest)$/i
/** A version written with a dash between its numbers (`4-5`, `3-5`), not a date: both parts short. */
const DASHED_VERSION = /(?<=-)(\d{1,2})-(\d{1,2})(?=-|$)/g

/**
 * The catalog id for a model id in Anthropic's spelling; any other id (one with an
 * author, `openai/gpt-5`, or not a Claude name) is returned unchanged. A `:variant`
 * suffix is kept: `claude-sonnet-4-5:nitro` → `anthropic/claude-sonnet-4.5:nitro`.
 */
export const catalogModelId = (id: string): string => {
  const trimmed = id.trim()
  if (trimmed.includes('/') || !/^claude-/i.test(trimmed)) return id
  const colon = trimmed.indexOf(':')
  const name = colon === -1 ? trimmed : trimmed.slice(0, colon)
  const variant = colon === -1 ? '' : trimmed.slice(colon)
  const undated = name.replace(DATED, '')
  return `anthropic/${undated.replace(DASHED_VERSION, '$1.$2')}${variant}`
}
