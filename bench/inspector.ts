// The Worker isolate's V8 inspector (Miniflare's inspectorPort), for the heap sampler
// (large.ts) and the CPU profiler (profile.ts).

/** A connection to the user Worker's isolate: `call` sends one inspector command and awaits its answer. */
export const connectInspector = async (inspectorPort: number, nudge: () => Promise<unknown>) => {
  const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string; id?: string }[]
  // The user Worker's isolate (Miniflare's own services have targets too, and an idle one may never answer).
  const target = list.find((t) => String(t.title ?? t.id).endsWith('core:user:'))
  if (!target) throw new Error(`no inspector target for the Worker among ${list.map((t) => t.title ?? t.id).join(', ')}`)
  const ws = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject })
  let id = 0
  const pending = new Map<number, (v: unknown) => void>()
  ws.onmessage = (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown }
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result)
  }
  // An idle isolate may leave inspector messages unanswered until it has an event to run:
  // while a call waits, a cheap request (`nudge`) every 100 ms gives it one.
  const call = <T>(method: string, params: object = {}, timeoutMs = 10_000): Promise<T> => new Promise((resolve, reject) => {
    const n = ++id
    const poke = setInterval(() => void nudge().catch(() => {}), 100)
    const timer = setTimeout(() => { clearInterval(poke); pending.delete(n); reject(new Error(`inspector: no answer to ${method} in ${timeoutMs / 1000} s`)) }, timeoutMs)
    pending.set(n, (v) => { clearTimeout(timer); clearInterval(poke); pending.delete(n); resolve(v as T) })
    ws.send(JSON.stringify({ id: n, method, params }))
  })
  return { call, close: () => ws.close() }
}
