// Chat messages → Gemini `contents` + `systemInstruction`: roles, media parts,
// function calls and their results, and thought signatures for Gemini 3.
// @see https://ai.google.dev/api/generate-content#request-body
import type { ContentPart, Message } from '../schemas/chat-request.ts'
import type { Target } from './types.ts'
import type { GeminiContent, GeminiPart } from './wire/gemini.ts'

type Content = string | ContentPart[] | null | undefined

const textOf = (content: Content): string =>
  typeof content === 'string' ? content : (content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('')

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const field = (v: unknown, key: string): unknown => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined)

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic',
  heif: 'image/heif', pdf: 'application/pdf', mp3: 'audio/mp3', wav: 'audio/wav', mp4: 'video/mp4', webm: 'video/webm',
}

/**
 * data: URLs become inlineData; http(s) URLs become fileData, whose mimeType Gemini
 * requires, so it is guessed from the extension.
 * @see https://ai.google.dev/api/caching#Part
 */
const mediaPart = (url: string, fallbackMime: string): GeminiPart | null => {
  const data = /^data:([^;,]+)[^,]*;base64,(.*)$/s.exec(url)
  if (data) return { inlineData: { mimeType: data[1]!, data: data[2]! } }
  if (!/^https?:\/\//i.test(url)) return null
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase() ?? ''
  return { fileData: { mimeType: MIME_BY_EXT[ext] ?? fallbackMime, fileUri: url } }
}

const userPart = (part: ContentPart): GeminiPart | null => {
  switch (part.type) {
    case 'text':
      return part.text ? { text: part.text } : null
    case 'image_url':
      return mediaPart(part.image_url.url, 'image/jpeg')
    case 'input_audio': {
      const data = str(field(part.input_audio, 'data'))
      return data ? { inlineData: { mimeType: `audio/${str(field(part.input_audio, 'format')) ?? 'wav'}`, data } } : null
    }
    case 'file': {
      const url = str(field(part.file, 'file_data'))
      return url ? mediaPart(url, 'application/pdf') : null
    }
    default: {
      const url = str(field(part.video_url, 'url'))
      return url ? mediaPart(url, 'video/mp4') : null
    }
  }
}

/** A message `name` is prepended as "{name}: " for non-OpenAI models (docs/compatibility.md#messages). */
const withName = (parts: GeminiPart[], name: string | undefined): GeminiPart[] => {
  if (!name) return parts
  const first = parts[0]
  if (first && 'text' in first) return [{ text: `${name}: ${first.text}` }, ...parts.slice(1)]
  return [{ text: `${name}:` }, ...parts]
}

const contentParts = (content: Content): GeminiPart[] =>
  typeof content === 'string' ? (content ? [{ text: content }] : []) : (content ?? []).map(userPart).filter((p) => p !== null)

const parseArgs = (args: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(args)
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** functionResponse.response must be a JSON object: a JSON object result as is, anything else as {content}. */
const toolResponse = (content: Content): Record<string, unknown> => {
  const text = textOf(content)
  const parsed = parseArgs(text)
  return Object.keys(parsed).length > 0 || text.trim() === '{}' ? parsed : { content: text }
}

/**
 * Gemini 3 rejects a replayed functionCall without the thoughtSignature it came with
 * (400 INVALID_ARGUMENT). A signature the client kept in reasoning_details (OpenRouter's
 * `reasoning.encrypted`, format google-gemini-v1) is replayed; otherwise Google's
 * documented bypass value is sent for Gemini 3.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const SKIP_SIGNATURE = 'skip_thought_signature_validator'
const needsSignature = (target: Target) => /^gemini-3/.test(target.endpoint.upstream_id)

const signaturesOf = (m: Extract<Message, { role: 'assistant' }>): Map<string | undefined, string> => {
  const out = new Map<string | undefined, string>()
  for (const d of m.reasoning_details ?? []) {
    const data = str(d.data)
    if (d.type === 'reasoning.encrypted' && d.format === 'google-gemini-v1' && data) out.set(str(d.id), data)
  }
  return out
}

/** Roles user/model; system and developer messages become systemInstruction. */
export const toContents = (messages: Message[], target: Target) => {
  const system: { text: string }[] = []
  const contents: GeminiContent[] = []
  const callNames = new Map<string, string>()
  // Adjacent same-role turns are merged: parallel tool results must share one user
  // turn (as many functionResponse parts as the model turn had functionCalls).
  const push = (role: GeminiContent['role'], parts: GeminiPart[]) => {
    if (parts.length === 0) return
    const last = contents[contents.length - 1]
    if (last?.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
  }
  for (const m of messages) {
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const p of contentParts(m.content)) if ('text' in p) system.push({ text: p.text })
        break
      case 'user':
        push('user', withName(contentParts(m.content), m.name))
        break
      case 'assistant': {
        // Reasoning text is not replayed: Gemini reads no unsigned thought text.
        const signatures = signaturesOf(m)
        const calls = (m.tool_calls ?? []).map((call, i): GeminiPart => {
          callNames.set(call.id, call.function.name)
          const signature = signatures.get(call.id) ?? (i === 0 ? signatures.get(undefined) : undefined) ??
            (i === 0 && needsSignature(target) ? SKIP_SIGNATURE : undefined)
          return { functionCall: { name: call.function.name, args: parseArgs(call.function.arguments) }, ...(signature ? { thoughtSignature: signature } : {}) }
        })
        push('model', [...withName(contentParts(m.content), m.name), ...calls])
        break
      }
      case 'tool': {
        const name = callNames.get(m.tool_call_id) ?? m.name ?? /^call_\d+_(.+)$/.exec(m.tool_call_id)?.[1] ?? 'function'
        push('user', [{ functionResponse: { name, response: toolResponse(m.content) } }])
        break
      }
    }
  }
  return { contents, ...(system.length ? { systemInstruction: { parts: system } } : {}) }
}
