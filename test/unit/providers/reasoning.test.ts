// Hidden reasoning: which requests hide it or turn it off, and what is left of an
// answer or a stream chunk once it is removed.
import { describe, expect, it } from 'vitest'
import { choicesWithoutReasoning, hidesReasoning, turnsReasoningOff, withoutReasoning } from '../../../src/providers/reasoning.ts'
import type { CanonicalChunkChoice, CanonicalResponse } from '../../../src/providers/types.ts'

describe('hidesReasoning / turnsReasoningOff', () => {
  it.each([
    [{ reasoning: { exclude: true } }, true, false],
    [{ reasoning: { effort: 'high' as const, exclude: true } }, true, false],
    [{ include_reasoning: false }, true, false],
    [{ include_reasoning: true }, false, false],
    [{ reasoning: { exclude: false } }, false, false],
    [{ reasoning: { effort: 'none' as const } }, false, true],
    [{ reasoning_effort: 'none' as const }, false, true],
    [{ reasoning: { enabled: false } }, false, true],
    [{ reasoning: { max_tokens: 0 } }, false, true],
    [{}, false, false],
  ])('%j: hides %s, off %s', (req, hides, off) => {
    expect(hidesReasoning(req)).toBe(hides)
    expect(turnsReasoningOff(req)).toBe(off)
  })
})

const answer: CanonicalResponse = {
  upstreamId: 'up-1',
  systemFingerprint: null,
  usage: { prompt_tokens: 10, completion_tokens: 30, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 20 },
  choices: [{
    index: 0,
    message: {
      role: 'assistant',
      content: 'The answer.',
      refusal: null,
      reasoning: 'Let me think.',
      reasoning_details: [{ type: 'reasoning.text', text: 'Let me think.', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }],
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    },
    finish_reason: 'tool_calls',
    native_finish_reason: 'tool_use',
    logprobs: null,
  }],
}

describe('withoutReasoning', () => {
  it('nulls reasoning and drops reasoning_details; content, tool calls, finish and usage stay', () => {
    const out = withoutReasoning(answer)
    expect(out.choices[0]?.message).toEqual({
      role: 'assistant', content: 'The answer.', refusal: null, reasoning: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    })
    expect(out.choices[0]).toMatchObject({ finish_reason: 'tool_calls', native_finish_reason: 'tool_use' })
    expect(out.usage).toEqual(answer.usage)
    expect(answer.choices[0]?.message.reasoning).toBe('Let me think.') // the input is left as it was
  })
})

const choice = (delta: CanonicalChunkChoice['delta'], finish: CanonicalChunkChoice['finish_reason'] = null): CanonicalChunkChoice => ({
  index: 0, delta, finish_reason: finish, native_finish_reason: finish, logprobs: null,
})

describe('choicesWithoutReasoning', () => {
  it('drops a choice that carried only reasoning (text, details or a signature)', () => {
    expect(choicesWithoutReasoning([choice({ reasoning: 'hmm' })])).toEqual([])
    expect(choicesWithoutReasoning([choice({ reasoning: 'hmm', reasoning_details: [{ type: 'reasoning.text', text: 'hmm', format: 'x', index: 0 }] })])).toEqual([])
    expect(choicesWithoutReasoning([choice({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'e', format: 'x', index: 0 }] })])).toEqual([])
  })

  it('keeps the rest of a delta, and a finish reason even with nothing else', () => {
    expect(choicesWithoutReasoning([choice({ role: 'assistant', reasoning: 'hmm' })])).toEqual([choice({ role: 'assistant' })])
    expect(choicesWithoutReasoning([choice({ content: 'Hi', reasoning: 'hmm' })])).toEqual([choice({ content: 'Hi' })])
    expect(choicesWithoutReasoning([choice({ reasoning: 'last thought' }, 'stop')])).toEqual([choice({}, 'stop')])
    expect(choicesWithoutReasoning([choice({ content: '' })])).toEqual([choice({ content: '' })])
  })
})
