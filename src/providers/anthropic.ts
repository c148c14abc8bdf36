// The anthropic adapter: canonical (OpenAI-shaped) chat ⇄ the Anthropic Messages API.
// Pure translation: system prompt, content blocks, tools, extended thinking and
// cache_control; the stream reducer is in anthropic-stream.ts.
// @see https://docs.anthropic.com/en/api/messages
import { z } from 'zod'
import type { Endpoint } from '../catalog/schema.ts'
import type { ContentPart, Message } from '../schemas/chat-request.ts'
import {
  fromUpstreamEvent, initialState, mapFinishReason, mapUsage, REASONING_FORMAT, type AnthropicStreamState, type OutputSeen,
} from './anthropic-stream.ts'
import { retryAfterSeconds, supportsParam, UpstreamShapeError } from './openai.ts'
import type {
  CanonicalRequest, CanonicalResponse, ProviderAdapter, ProviderError, ReasoningDetail, Target, ToolCallOut, UpstreamRequest,
} from './types.ts'
import {
  AnthropicErrorBody, CacheControl, MessagesResponse,
  type ContentBlockParam, type MessageParam, type MessagesRequest, type TextBlockParam, type ToolChoiceParam,
} from './wire/anthropic.ts'
import { turnsReasoningOff } from './reasoning.ts'
import { providerError, readErrorBody } from './upstream-errors.ts'

export { fromUpstreamEvent, initialState, mapFinishReason, mapUsage }

export const ANTHROPIC_VERSION = '2023-06-01'

const cacheOf = (value: unknown): { cache_control?: CacheControl } => {
  const parsed = CacheControl.safeParse(value)
  return parsed.success ? { cache_control: parsed.data } : {}
}

// --- content ----------------------------------------------------------------

const DATA_URL = /^data:([^;,]+)[^,]*;base64,(.*)$/s

/** data: URLs become base64 sources, http(s) URLs url sources; anything else cannot be sent. */
const sourceOf = (url: string) => {
  const data = DATA_URL.exec(url)
  if (data) return { type: 'base64' as const, media_type: data[1] ?? '', data: data[2] ?? '' }
  if (/^https?:\/\//i.test(url)) return { type: 'url' as const, url }
  return null
}

const FilePart = z.looseObject({ file: z.looseObject({ file_data: z.string().optional(), filename: z.string().optional() }) })

/**
 * One public content part → Anthropic blocks. Empty text is dropped (Anthropic rejects
 * empty text blocks); audio and video have no Anthropic equivalent and are dropped.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 */
const blocksOfPart = (part: ContentPart): ContentBlockParam[] => {
  const cache = cacheOf(part.cache_control)
  if (part.type === 'text') return part.text ? [{ type: 'text', text: part.text, ...cache }] : []
  if (part.type === 'image_url') {
    const source = sourceOf(part.image_url.url)
    return source ? [{ type: 'image', source, ...cache }] : []
  }
  const file = part.type === 'file' ? FilePart.safeParse(part) : undefined
  const source = file?.success && file.data.file.file_data ? sourceOf(file.data.file.file_data) : null
  if (!source || (source.type === 'base64' && source.media_type !== 'application/pdf')) return []
  const title = file?.success ? file.data.file.filename : undefined
  return [{ type: 'document', source, ...(title ? { title } : {}), ...cache }]
}

const blocksOf = (content: string | ContentPart[] | null | undefined): ContentBlockParam[] =>
  typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : (content ?? []).flatMap(blocksOfPart)

/** A message `name` is prepended as "{name}: " for non-OpenAI models (docs/compatibility.md#messages). */
const withName = (blocks: ContentBlockParam[], name: string | undefined): ContentBlockParam[] => {
  const first = blocks.findIndex((b) => b.type === 'text')
  const target = blocks[first]
  if (!name || target?.type !== 'text') return blocks
  return blocks.map((b, i) => (i === first ? { ...target, text: `${name}: ${target.text}` } : b))
}

/** Message-level cache_control (sent by the AI SDK) marks the message's last block. */
const withMessageCache = (blocks: ContentBlockParam[], value: unknown): ContentBlockParam[] => {
  const cache = cacheOf(value)
  const last = blocks[blocks.length - 1]
  if (!cache.cache_control || !last || last.type === 'thinking' || last.type === 'redacted_thinking') return blocks
  return [...blocks.slice(0, -1), { ...last, ...cache }]
}

const ReasoningIn = z.looseObject({
  type: z.string(), text: z.string().nullish(), signature: z.string().nullish(), data: z.string().nullish(),
  format: z.string().nullish(), index: z.number().nullish(),
})

/**
 * reasoning_details sent back → thinking blocks, so tool use with thinking can continue
 * (Anthropic requires the signed thinking before a tool_use it answers). Fragments of one
 * detail (same index, as streamed) are joined; other providers' signatures are dropped.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
const thinkingBlocks = (details: unknown[] | undefined): ContentBlockParam[] => {
  const blocks: ContentBlockParam[] = []
  let open: { thinking: string; signature: string; index: number | null | undefined } | null = null
  const close = () => {
    if (open?.signature) blocks.push({ type: 'thinking', thinking: open.thinking, signature: open.signature })
    open = null
  }
  for (const raw of details ?? []) {
    const d = ReasoningIn.safeParse(raw)
    if (!d.success || (d.data.format != null && d.data.format !== REASONING_FORMAT)) continue
    if (d.data.type === 'reasoning.text') {
      if (open && (open.index !== d.data.index || d.data.index == null)) close()
      open ??= { thinking: '', signature: '', index: d.data.index }
      open.thinking += d.data.text ?? ''
      open.signature += d.data.signature ?? ''
    } else if (d.data.type === 'reasoning.encrypted' && d.data.data) {
      close()
      blocks.push({ type: 'redacted_thinking', data: d.data.data })
    }
  }
  close()
  return blocks
}

const trimPrefill = (b: ContentBlockParam): ContentBlockParam[] =>
  b.type !== 'text' ? [b] : b.text.trimEnd() ? [{ ...b, text: b.text.trimEnd() }] : []

/** tool_use.input is an object: arguments that are not a JSON object (a model's broken JSON) become {}. */
export const parseInput = (args: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(args)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/**
 * Canonical messages → Anthropic turns. System and developer messages are lifted to
 * `system`; tool messages become tool_result blocks in a user turn; consecutive turns
 * of one role are merged, as the API needs alternating user/assistant turns.
 * @see https://docs.anthropic.com/en/api/messages#body-messages
 */
const convertMessages = (messages: Message[], thinking: boolean) => {
  const system: TextBlockParam[] = []
  const turns: MessageParam[] = []
  const push = (role: MessageParam['role'], blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return
    const last = turns[turns.length - 1]
    if (last?.role === role) last.content.push(...blocks)
    else turns.push({ role, content: blocks })
  }
  const lastIndex = messages.length - 1
  messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const b of withMessageCache(blocksOf(m.content), m.cache_control)) if (b.type === 'text') system.push(b)
        return
      case 'user':
        return push('user', withMessageCache(withName(blocksOf(m.content), m.name), m.cache_control))
      case 'tool': {
        const content = typeof m.content === 'string'
          ? m.content
          : blocksOf(m.content).filter((b): b is Extract<ContentBlockParam, { type: 'text' | 'image' }> => b.type === 'text' || b.type === 'image')
        // `is_error` (set by the Messages skin from a tool_result) tells Claude the tool failed.
        const failed = m.is_error === true ? { is_error: true } : {}
        return push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content, ...failed, ...cacheOf(m.cache_control) }])
      }
      case 'assistant': {
        const named = withName(blocksOf(m.content), m.name)
        // A trailing assistant message is a prefill, which may not end in whitespace.
        const text = i === lastIndex ? named.flatMap(trimPrefill) : named
        const calls = (m.tool_calls ?? []).map((c): ContentBlockParam => ({
          type: 'tool_use', id: c.id, name: c.function.name, input: parseInput(c.function.arguments),
        }))
        const reasoning = thinking ? thinkingBlocks(m.reasoning_details) : []
        return push('assistant', withMessageCache([...reasoning, ...text, ...calls], m.cache_control))
      }
    }
  })
  return { system, turns }
}

// --- request parameters ------------------------------------------------------

/** Effort → share of max_tokens spent on thinking (docs/compatibility.md#reasoning). */
const EFFORT_RATIO: Record<string, number> = { max: 0.95, xhigh: 0.95, high: 0.8, medium: 0.5, low: 0.2, minimal: 0.1 }
const MIN_BUDGET = 1024
const MAX_EFFORT_BUDGET = 128_000

/**
 * What the request asks of reasoning: an effort, an explicit budget, or nothing. Hiding
 * reasoning (`exclude`) does not turn thinking off: the model thinks as asked and the
 * thinking is removed from the answer (src/providers/reasoning.ts). Hiding alone
 * (`{exclude: true}`, `include_reasoning: false`) asks for no thinking, which no one would see.
 */
const reasoningAsked = (req: CanonicalRequest): { effort: string } | { budget: number } | null => {
  const r = req.reasoning
  if (turnsReasoningOff(req)) return null
  const effort = r?.effort ?? req.reasoning_effort
  if (r?.max_tokens) return { budget: r.max_tokens }
  if (effort) return { effort }
  // `reasoning: {}`, `{enabled: true}` and legacy `include_reasoning: true` mean medium.
  const onlyHides = r?.exclude === true && r.enabled == null
  return (r && !onlyHides) || req.include_reasoning === true ? { effort: 'medium' } : null
}

/**
 * max_tokens (required by Anthropic) and the thinking budget. budget_tokens =
 * max(min(max_tokens × ratio, 128000), 1024), and max_tokens must exceed it: when it
 * does not, max_tokens grows by the budget (up to the endpoint's limit).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size
 */
export const tokenPlan = (req: CanonicalRequest, endpoint: Endpoint, forcedTool: boolean): { maxTokens: number; budget?: number } => {
  const cap = endpoint.max_output
  let maxTokens = Math.min(req.max_completion_tokens ?? req.max_tokens ?? cap, cap)
  const asked = reasoningAsked(req)
  // Anthropic rejects thinking together with a forced tool choice; the explicit choice wins.
  if (!asked || !endpoint.capabilities.reasoning || forcedTool) return { maxTokens }
  let budget = 'budget' in asked
    ? Math.max(asked.budget, MIN_BUDGET)
    : Math.max(Math.min(Math.floor(maxTokens * (EFFORT_RATIO[asked.effort] ?? 0.5)), MAX_EFFORT_BUDGET), MIN_BUDGET)
  if (maxTokens <= budget) maxTokens = Math.min(budget + maxTokens, cap)
  if (maxTokens <= budget) budget = maxTokens - 1
  return budget >= MIN_BUDGET ? { maxTokens, budget } : { maxTokens }
}

/** @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use */
const toolChoiceOf = (req: CanonicalRequest): ToolChoiceParam | undefined => {
  const serial = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {}
  const choice = req.tool_choice
  if (choice == null) return req.parallel_tool_calls === false ? { type: 'auto', ...serial } : undefined
  if (choice === 'none') return { type: 'none' }
  if (choice === 'auto') return { type: 'auto', ...serial }
  if (choice === 'required') return { type: 'any', ...serial }
  return { type: 'tool', name: choice.function.name, ...serial }
}

/** Anthropic has no JSON mode here: the format is asked for in the system prompt. */
const jsonInstruction = (req: CanonicalRequest): string | null => {
  const format = req.response_format
  if (format?.type === 'json_schema') {
    const { name, schema } = format.json_schema
    return `Respond only with JSON (no prose, no code fences) that conforms to the JSON schema "${name}"${schema ? `:\n${JSON.stringify(schema)}` : '.'}`
  }
  if (format?.type === 'json_object') return 'Respond only with a valid JSON object: no prose, no code fences.'
  return null
}

export const toUpstream = (req: CanonicalRequest, target: Target): UpstreamRequest => {
  const { endpoint } = target
  const tools = supportsParam(endpoint, 'tools') && req.tools?.length ? req.tools : undefined
  const toolChoice = tools && supportsParam(endpoint, 'tool_choice') ? toolChoiceOf(req) : undefined
  const plan = tokenPlan(req, endpoint, toolChoice?.type === 'any' || toolChoice?.type === 'tool')
  const thinking = plan.budget !== undefined
  const { system, turns } = convertMessages(req.messages, thinking)
  const instruction = jsonInstruction(req)
  if (instruction) system.push({ type: 'text', text: instruction })

  const body: MessagesRequest = { model: endpoint.upstream_id, max_tokens: plan.maxTokens, messages: turns }
  if (system.length) body.system = system.some((b) => b.cache_control) ? system : system.map((b) => b.text).join('\n\n')
  if (plan.budget !== undefined) body.thinking = { type: 'enabled', budget_tokens: plan.budget }
  // With thinking on, Anthropic rejects temperature and top_k, and top_p below 0.95.
  if (req.temperature != null && !thinking && supportsParam(endpoint, 'temperature')) body.temperature = Math.min(req.temperature, 1)
  if (req.top_p != null && (!thinking || req.top_p >= 0.95) && supportsParam(endpoint, 'top_p')) body.top_p = req.top_p
  if (req.top_k != null && !thinking && supportsParam(endpoint, 'top_k')) body.top_k = req.top_k
  if (req.stop != null && supportsParam(endpoint, 'stop')) {
    const stops = typeof req.stop === 'string' ? [req.stop] : req.stop
    if (stops.length) body.stop_sequences = stops
  }
  if (tools) {
    body.tools = tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
      ...cacheOf(t.cache_control),
    }))
    if (toolChoice) body.tool_choice = toolChoice
  }
  if (req.user) body.metadata = { user_id: req.user }
  if (req.stream) body.stream = true
  return messagesRequest(target, body)
}

/**
 * POST /messages with Anthropic's auth and version headers: this adapter's body, or a
 * Messages client's passed through with the betas it asked for (`anthropic-beta`).
 */
export const messagesRequest = (target: Target, body: Record<string, unknown>, betas: readonly string[] = []): UpstreamRequest => {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION }
  if (target.apiKey) headers['x-api-key'] = target.apiKey
  if (betas.length) headers['anthropic-beta'] = betas.join(',')
  return { url: `${target.baseUrl.replace(/\/+$/, '')}/messages`, headers, body: JSON.stringify(body) }
}

// --- responses ----------------------------------------------------------------

/** A thinking block as a reasoning detail in this adapter's format (what comes back turns into the same block). */
export const thinkingDetail = (b: { thinking: string; signature?: string | null }, index: number): ReasoningDetail =>
  ({ type: 'reasoning.text', text: b.thinking, ...(b.signature ? { signature: b.signature } : {}), format: REASONING_FORMAT, index })

export const redactedDetail = (data: string, index: number): ReasoningDetail => ({ type: 'reasoning.encrypted', data, format: REASONING_FORMAT, index })

/** A tool_use block as a canonical tool call. */
export const toolCallOf = (b: { id: string; name: string; input?: unknown }) =>
  ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }) satisfies ToolCallOut

/** @see https://docs.anthropic.com/en/api/messages#response-content */
export const fromUpstream = (json: unknown): CanonicalResponse => {
  const parsed = MessagesResponse.safeParse(json)
  if (!parsed.success) throw new UpstreamShapeError(`unexpected response shape: ${parsed.error.issues[0]?.message}`)
  const m = parsed.data
  const text: string[] = []
  const thinking: string[] = []
  const details: ReasoningDetail[] = []
  const calls: ToolCallOut[] = []
  for (const b of m.content) {
    if (b.type === 'text') text.push(b.text)
    else if (b.type === 'thinking') {
      thinking.push(b.thinking)
      details.push(thinkingDetail(b, details.length))
    } else if (b.type === 'redacted_thinking') details.push(redactedDetail(b.data, details.length))
    else if (b.type === 'tool_use') calls.push(toolCallOf(b))
  }
  return {
    upstreamId: m.id,
    systemFingerprint: null,
    choices: [{
      index: 0,
      message: {
        role: 'assistant',
        content: text.length ? text.join('') : null,
        refusal: null,
        reasoning: thinking.length ? thinking.join('') : null,
        ...(details.length ? { reasoning_details: details } : {}),
        ...(calls.length ? { tool_calls: calls } : {}),
      },
      finish_reason: mapFinishReason(m.stop_reason),
      native_finish_reason: m.stop_reason ?? null,
      logprobs: null,
    }],
    usage: m.usage ? mapUsage(m.usage, seenIn(m.content)) : null,
  }
}

/** What the content held, for the thinking share of output_tokens (anthropic-stream.ts, reasoningTokensOf). */
const seenIn = (content: MessagesResponse['content']): OutputSeen => ({
  thinking: content.some((b) => b.type === 'thinking' || b.type === 'redacted_thinking'),
  thinkingChars: content.reduce((n, b) => n + (b.type === 'thinking' ? b.thinking.length : 0), 0),
  visibleChars: content.reduce((n, b) => n + (b.type === 'text' ? b.text.length : b.type === 'tool_use' ? JSON.stringify(b.input ?? {}).length : 0), 0),
})

/** @see https://docs.anthropic.com/en/api/errors */
export const parseError = (status: number, text: string, headers: Headers): ProviderError => {
  const { raw, body } = readErrorBody(text, AnthropicErrorBody)
  return providerError(status, raw, { message: body?.error.message, code: body?.error.type }, retryAfterSeconds(headers))
}

export const anthropic: ProviderAdapter<AnthropicStreamState> = {
  toUpstream,
  fromUpstream,
  initialState,
  fromUpstreamEvent,
  parseError,
}
