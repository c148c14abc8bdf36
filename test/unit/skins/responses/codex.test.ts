// The bodies Codex CLI 0.171.0 really sends (test/fixtures/agents/codex, recorded from the
// CLI) decode to the canonical request the pipeline plans with.
import { describe, expect, it } from 'vitest'
import { ChatRequest } from '../../../../src/schemas/chat-request.ts'
import { toCanonical } from '../../../../src/skins/responses/canonical.ts'
import { decodeResponses } from '../../../../src/skins/responses/request.ts'
import sayHi from '../../../fixtures/agents/codex/say-hi.1.json'
import roundTrip2 from '../../../fixtures/agents/codex/tool-round-trip.2.json'

const canonical = (body: unknown) => toCanonical(decodeResponses(JSON.stringify(body)))

describe("Codex CLI's own requests", () => {
  it('say-hi: developer prompts as system, the environment and the prompt as user; function and namespaced tools offered, web_search not', () => {
    const req = canonical(sayHi.body)
    expect(req.stream).toBe(true)
    expect(req.messages.map((m) => m.role)).toEqual(['system', 'system', 'user', 'user'])
    expect(req.messages[3]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Say hi' }] })
    const names = (req.tools ?? []).map((t) => t.function.name)
    expect(names).toContain('exec_command')
    expect(names).toContain('spawn_agent') // from the multi_agent_v1 namespace
    expect(names).not.toContain('web_search')
    expect(req.tool_choice).toBe('auto')
    expect(req.parallel_tool_calls).toBe(true)
    expect(req.reasoning).toBeUndefined()
    for (const field of ['input', 'include', 'store', 'prompt_cache_key', 'client_metadata']) expect(req).not.toHaveProperty(field)
    expect(ChatRequest.safeParse(req).success).toBe(true)
  })

  it('tool round trip: the function_call and its output become an assistant tool call and a tool message', () => {
    const req = canonical(roundTrip2.body)
    expect(req.messages.slice(-2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_rec_1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"cat hello.txt"}' } }] },
      { role: 'tool', tool_call_id: 'call_rec_1', content: expect.stringContaining('switchboard says hello') },
    ])
  })
})
