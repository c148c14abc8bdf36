// A reply's figures: provider, tokens, cost, time to first token, throughput, total time.
import { int, money, ms } from './format.ts'
import { tokensPerSecond, type StreamResult } from './stream-chat.ts'

export const ReplyMeta = ({ r }: { r: StreamResult }) => {
  const tps = tokensPerSecond(r)
  return (
    <span class="meta" data-testid="reply-meta">
      {r.model}{r.provider ? ` via ${r.provider}` : ''} · {r.promptTokens ?? '–'} prompt + {r.completionTokens ?? '–'} completion tokens ·{' '}
      cost {r.cost === null ? '–' : money(r.cost, true)} · TTFT {ms(r.ttftMs)} · {tps === null ? '–' : `${int(tps)} tok/s`} · total {ms(r.totalMs)}
    </span>
  )
}
