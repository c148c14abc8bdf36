// Canonical chunks → the Responses event stream: response.created and .in_progress, then
// each output item opened (output_item.added), filled (text, refusal, reasoning-summary
// and argument deltas) and closed (.done events, output_item.done), then
// response.completed (or .incomplete) with the whole response; response.failed and an
// `error` event when the upstream fails mid-stream. Every event has `type` and a
// `sequence_number`; the `openai` SDK's ResponseStream checks their order and ids.
// @see https://platform.openai.com/docs/api-reference/responses-streaming
import type { CanonicalChunk, ProviderError, ReasoningDetail, ToolCallDelta } from '../../providers/types.ts'
import { mergeDetail } from '../../streaming/assemble.ts'
import type { SkinMeta, SseOut, StreamEncoder, StreamFinish } from '../skin.ts'
import { streamErrorCode } from './errors.ts'
import type { ResponsesRequest } from './request.ts'
import {
  callIdOf, callItem, itemId, itemStatusOf, messageItem, outcomeOf, reasoningItem, refusalPart, responseBody, responseUsage, textPart,
  type ItemStatus, type OutputItem,
} from './response.ts'
import { callPrefix, toolTable } from './tools.ts'

interface Part { kind: 'output_text' | 'refusal'; text: string; open: boolean }
interface Common { at: number; id: string; open: boolean; status: ItemStatus }
interface MessageState extends Common { kind: 'message'; parts: Part[] }
interface ReasoningState extends Common { kind: 'reasoning'; text: string; details: ReasoningDetail[]; summaryOpen: boolean }
/** A tool call is announced once its name is known (its arguments are kept until then). */
interface CallState extends Common { kind: 'call'; n: number; callId: string; name: string; args: string; custom: boolean; announced: boolean }
type ItemState = MessageState | ReasoningState | CallState

const partOf = (p: Part) => (p.kind === 'output_text' ? textPart(p.text) : refusalPart(p.text))

export const responsesStream = (meta: SkinMeta, req: ResponsesRequest): StreamEncoder => {
  const tools = toolTable(req)
  const items: ItemState[] = []
  const calls = new Map<number, CallState>()
  let reasoning: ReasoningState | null = null
  let message: MessageState | null = null
  let seq = 0
  let finished = false
  let out: SseOut[] = []

  const emit = (type: string, fields: Record<string, unknown>) => {
    out.push({ event: type, data: { type, sequence_number: seq++, ...fields } })
  }
  const flush = (): SseOut[] => {
    const events = out
    out = []
    return events
  }
  const at = (s: ItemState) => ({ item_id: s.id, output_index: s.at })

  const snapshot = (s: ItemState): OutputItem => {
    switch (s.kind) {
      case 'message':
        return messageItem(s.id, s.status, s.parts.map(partOf))
      case 'reasoning':
        return reasoningItem(s.id, s.text, s.details)
      case 'call':
        return callItem(s.id, s.callId, s.name, s.args, s.status, tools)
    }
  }
  const add = <S extends ItemState>(s: S): S => {
    items.push(s)
    emit('response.output_item.added', { output_index: s.at, item: snapshot(s) })
    return s
  }
  const done = (s: ItemState, status: ItemStatus) => {
    s.open = false
    s.status = status
    emit('response.output_item.done', { output_index: s.at, item: snapshot(s) })
  }
  const common = (prefix: 'rs' | 'msg' | 'fc' | 'ctc') => ({ at: items.length, id: itemId(prefix, meta, items.length), open: true, status: 'in_progress' as const })

  const closeReasoning = () => {
    const r = reasoning
    if (!r) return
    if (r.summaryOpen) {
      emit('response.reasoning_summary_text.done', { ...at(r), summary_index: 0, text: r.text })
      emit('response.reasoning_summary_part.done', { ...at(r), summary_index: 0, part: { type: 'summary_text', text: r.text } })
    }
    done(r, 'completed')
    reasoning = null
  }
  const closePart = (m: MessageState, p: Part) => {
    if (!p.open) return
    const index = { ...at(m), content_index: m.parts.indexOf(p) }
    if (p.kind === 'output_text') emit('response.output_text.done', { ...index, text: p.text, logprobs: [] })
    else emit('response.refusal.done', { ...index, refusal: p.text })
    emit('response.content_part.done', { ...index, part: partOf(p) })
    p.open = false
  }
  const closeMessage = (status: ItemStatus = 'completed') => {
    const m = message
    if (!m) return
    for (const p of m.parts) closePart(m, p)
    done(m, status)
    message = null
  }

  const openReasoning = (): ReasoningState => {
    if (reasoning) return reasoning
    closeMessage()
    reasoning = add({ kind: 'reasoning', ...common('rs'), text: '', details: [], summaryOpen: false })
    return reasoning
  }
  const openMessage = (): MessageState => {
    if (message) return message
    closeReasoning()
    message = add({ kind: 'message', ...common('msg'), parts: [] })
    return message
  }
  const openPart = (m: MessageState, kind: Part['kind']): Part => {
    const last = m.parts[m.parts.length - 1]
    if (last?.kind === kind && last.open) return last
    if (last) closePart(m, last)
    const p: Part = { kind, text: '', open: true }
    m.parts.push(p)
    emit('response.content_part.added', { ...at(m), content_index: m.parts.length - 1, part: partOf(p) })
    return p
  }

  const reasoningDelta = (text: string) => {
    const r = openReasoning()
    if (!r.summaryOpen) {
      emit('response.reasoning_summary_part.added', { ...at(r), summary_index: 0, part: { type: 'summary_text', text: '' } })
      r.summaryOpen = true
    }
    r.text += text
    emit('response.reasoning_summary_text.delta', { ...at(r), summary_index: 0, delta: text })
  }
  const textDelta = (kind: Part['kind'], text: string) => {
    const m = openMessage()
    const p = openPart(m, kind)
    p.text += text
    const index = { ...at(m), content_index: m.parts.indexOf(p) }
    if (kind === 'output_text') emit('response.output_text.delta', { ...index, delta: text, logprobs: [] })
    else emit('response.refusal.delta', { ...index, delta: text })
  }

  const announce = (c: CallState) => {
    closeReasoning()
    closeMessage()
    const prefix = callPrefix(tools, c.name)
    Object.assign(c, common(prefix), { custom: prefix === 'ctc', announced: true })
    add(c)
    // Custom input is the `input` field of the JSON arguments: it is sent whole when the call closes.
    if (!c.custom && c.args) emit('response.function_call_arguments.delta', { ...at(c), delta: c.args })
  }
  const toolDelta = (t: ToolCallDelta) => {
    let c = calls.get(t.index)
    if (!c) {
      c = { kind: 'call', n: t.index, at: -1, id: '', open: false, status: 'in_progress', callId: '', name: '', args: '', custom: false, announced: false }
      calls.set(t.index, c)
    }
    if (!c.callId && t.id) c.callId = t.id
    if (!c.name && t.function?.name) c.name = t.function.name
    const piece = t.function?.arguments ?? ''
    c.args += piece
    if (!c.announced) {
      if (!c.name) return
      c.callId = callIdOf(c.callId, meta, c.n)
      announce(c)
    } else if (piece && !c.custom) {
      emit('response.function_call_arguments.delta', { ...at(c), delta: piece })
    }
  }
  const closeCall = (c: CallState, status: ItemStatus) => {
    const item = snapshot(c)
    if (item.type === 'custom_tool_call') {
      if (item.input) emit('response.custom_tool_call_input.delta', { ...at(c), delta: item.input })
      emit('response.custom_tool_call_input.done', { ...at(c), input: item.input })
    } else {
      emit('response.function_call_arguments.done', { ...at(c), arguments: c.args })
    }
    done(c, status)
  }

  const base = () => ({ status: 'in_progress' as const, error: null, incomplete_details: null, usage: null })

  return {
    start() {
      const response = responseBody(meta, req, { ...base(), output: [] })
      emit('response.created', { response })
      emit('response.in_progress', { response })
      return flush()
    },

    chunk(chunk: CanonicalChunk) {
      if (finished) return []
      // Responses has one output: the first choice's.
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue
        const d = choice.delta
        if (d.reasoning) reasoningDelta(d.reasoning)
        if (d.reasoning_details?.length) {
          const r = openReasoning()
          for (const detail of d.reasoning_details) mergeDetail(r.details, detail)
        }
        if (d.content) textDelta('output_text', d.content)
        if (d.refusal) textDelta('refusal', d.refusal)
        for (const t of d.tool_calls ?? []) toolDelta(t)
      }
      return flush()
    },

    end(finish: StreamFinish) {
      if (finished) return []
      finished = true
      const outcome = outcomeOf(finish.finish)
      const status = itemStatusOf(outcome.status)
      for (const c of [...calls.values()].sort((a, b) => a.n - b.n)) {
        if (!c.announced) {
          c.callId = callIdOf(c.callId, meta, c.n)
          announce(c)
        }
      }
      // As in a JSON answer: a message when the model called nothing, even an empty one.
      if (!items.some((s) => s.kind !== 'reasoning')) openPart(openMessage(), 'output_text')
      for (const s of items) {
        if (!s.open) continue
        if (s.kind === 'reasoning') closeReasoning()
        else if (s.kind === 'message') closeMessage(status)
        else closeCall(s, status)
      }
      const response = responseBody(meta, req, { ...outcome, output: items.map(snapshot), usage: responseUsage(finish.usage, finish.cost) })
      const type = outcome.status === 'completed' ? 'response.completed' : outcome.status === 'incomplete' ? 'response.incomplete' : 'response.failed'
      emit(type, { response, ...finish.extra })
      return flush()
    },

    error(error: ProviderError & { errorType: string }, finish: StreamFinish) {
      if (finished) return []
      finished = true
      const code = streamErrorCode(error.errorType)
      for (const s of items) if (s.open) s.status = 'incomplete'
      const response = responseBody(meta, req, {
        status: 'failed', error: { code, message: error.message }, incomplete_details: null, output: items.map(snapshot), usage: responseUsage(finish.usage, finish.cost),
      })
      emit('response.failed', { response, ...finish.extra })
      // For clients that watch for the error event rather than response.failed (the openai SDK throws on it).
      emit('error', { code, message: error.message, param: null })
      return flush()
    },
  }
}
