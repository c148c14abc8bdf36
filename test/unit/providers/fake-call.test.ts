// The fake's `call` option: with tools offered it calls the named tool once, as an agent's
// model does unasked (agents never force a tool), then answers the tool's result in text.
import { describe, expect, it } from 'vitest'
import { createFakeUpstream, fakeOptions } from '../../../src/providers/fake.ts'

const upstream = createFakeUpstream()
const TOOLS = [{ type: 'function', function: { name: 'Bash', parameters: { type: 'object' } } }, { type: 'function', function: { name: 'Read', parameters: { type: 'object' } } }]

const ask = async (body: Record<string, unknown>) => {
  const response = await upstream(new Request('https://fake.test/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'echo', ...body }) }))
  return (await response.json()) as { choices: { message: { content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }; finish_reason: string }[] }
}

describe('fake call=NAME args=JSON', () => {
  const prompt = 'read it [[fake call=Read args={"file_path":"/tmp/a\\u0020b.txt","x":"k=v"}]]'

  it('calls the named tool with the JSON arguments, whatever tool_choice short of none', async () => {
    for (const tool_choice of [undefined, 'auto', 'required']) {
      const reply = await ask({ messages: [{ role: 'user', content: prompt }], tools: TOOLS, ...(tool_choice ? { tool_choice } : {}) })
      expect(reply.choices[0]?.finish_reason).toBe('tool_calls')
      const call = reply.choices[0]?.message.tool_calls?.[0]?.function
      expect(call?.name).toBe('Read')
      expect(JSON.parse(call?.arguments ?? '')).toEqual({ file_path: '/tmp/a b.txt', x: 'k=v' })
    }
  })

  it('answers in text once a tool result is in the history, even with a user message after it', async () => {
    const history = [
      { role: 'user', content: prompt },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'Read', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'file text' },
    ]
    const after = await ask({ messages: history, tools: TOOLS })
    expect(after.choices[0]?.message.content).toBe('The tool returned: file text')
    const later = await ask({ messages: [...history, { role: 'user', content: 'and now?' }], tools: TOOLS })
    expect(later.choices[0]?.message).toMatchObject({ content: 'You said: and now?' })
  })

  it('calls nothing without tools, or with tool_choice none', async () => {
    expect((await ask({ messages: [{ role: 'user', content: prompt }] })).choices[0]?.message.content).toBe('You said: read it')
    const none = await ask({ messages: [{ role: 'user', content: prompt }], tools: TOOLS, tool_choice: 'none' })
    expect(none.choices[0]?.finish_reason).toBe('stop')
  })

  it('defaults the arguments to the last user message', async () => {
    const reply = await ask({ messages: [{ role: 'user', content: 'hello there [[fake call=Bash]]' }], tools: TOOLS })
    expect(reply.choices[0]?.message.tool_calls?.[0]?.function).toEqual({ name: 'Bash', arguments: '{"text":"hello there"}' })
  })

  it('reads a directive value up to the end of its pair', () => {
    expect(fakeOptions({ messages: [{ role: 'user', content: '[[fake args=a=b=c call=X]]' }] })).toMatchObject({ args: 'a=b=c', call: 'X' })
  })
})
