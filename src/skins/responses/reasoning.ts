// Reasoning round trip. A reasoning output item carries the canonical reasoning_details
// (Anthropic's signed thinking, Gemini's thought signatures…) sealed in
// `encrypted_content`: clients keep that string opaque and send the item back, and it
// opens to the same details, so multi-turn tool use with reasoning continues on every
// wire. It is encoded, not encrypted: it holds only what chat's reasoning_details show.

/** A reasoning detail as it travels: the canonical fields plus whatever else a provider put there (e.g. Gemini's call id). */
export type Detail = { type: string; [field: string]: unknown }

const PREFIX = 'sbrd1.'
/** The format of encrypted reasoning that did not come from here (e.g. OpenAI's own). */
export const FOREIGN_FORMAT = 'openai-responses-v1'

const toBase64Url = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const fromBase64Url = (text: string): string => {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}

/** The `encrypted_content` of a reasoning item; null when there is nothing to send back. */
export const sealDetails = (details: readonly Detail[]): string | null =>
  details.length === 0 ? null : PREFIX + toBase64Url(JSON.stringify(details))

const isDetail = (v: unknown): v is Detail =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string'

/** `encrypted_content` back to details: ours open as they were, anyone else's travel as one opaque detail. */
export const openDetails = (sealed: string): Detail[] => {
  if (sealed.startsWith(PREFIX)) {
    try {
      const value: unknown = JSON.parse(fromBase64Url(sealed.slice(PREFIX.length)))
      if (Array.isArray(value) && value.every(isDetail)) return value
    } catch {
      // Damaged: passed on as opaque, like a foreign one.
    }
  }
  return [{ type: 'reasoning.encrypted', data: sealed, format: FOREIGN_FORMAT, index: 0 }]
}

const indexOf = (d: Detail): number => (typeof d.index === 'number' ? d.index : 0)

/**
 * Details of several reasoning items in one assistant turn: each item numbers its own
 * from 0, and adapters join fragments that share an index, so later items are shifted.
 */
export const appendDetails = (soFar: Detail[], more: readonly Detail[]): Detail[] => {
  const base = soFar.length === 0 ? 0 : Math.max(...soFar.map(indexOf)) + 1
  return [...soFar, ...more.map((d) => ({ ...d, index: base + indexOf(d) }))]
}
