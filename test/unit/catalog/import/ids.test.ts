// Mapping rules: host ids to canonical ids at the strictest level that finds one model.
import { describe, expect, it } from 'vitest'
import { authorOf, datelessKey, exactKey, indexCanonical, looseKey, matchCanonical, wordsKey } from '../../../../src/catalog/import/ids.ts'

const CANONICAL = [
  'meta-llama/llama-3.3-70b-instruct', 'meta-llama/llama-3.1-8b-instruct', 'meta-llama/llama-3.1-405b', 'meta-llama/llama-3.1-405b-instruct',
  'anthropic/claude-3.5-haiku', 'anthropic/claude-opus-4', 'anthropic/claude-opus-4.1', 'anthropic/claude-sonnet-4.5',
  'openai/gpt-4o', 'openai/gpt-4o-2024-08-06', 'openai/gpt-4o-mini', 'openai/gpt-5-chat', 'qwen/qwen3-32b', 'qwen/qwen3-235b-a22b-2507',
  'deepseek/deepseek-chat-v3.1', 'z-ai/glm-4.5',
]
const index = indexCanonical(CANONICAL)
const AUTHORS = { 'meta-llama': 'meta-llama', llama: 'meta-llama', 'deepseek-ai': 'deepseek', qwen: 'qwen', 'zai-org': 'z-ai', glm: 'z-ai' }
const map = (id: string, hostAuthor?: string) => {
  const m = matchCanonical(id, authorOf(id, AUTHORS, index.authors, hostAuthor), index, !hostAuthor)
  return m && 'id' in m ? m.id : m
}

describe('keys', () => {
  it('unify version spellings, prefixes and letter-digit runs', () => {
    expect(exactKey('accounts/fireworks/models/llama-v3p3-70b-instruct')).toBe('llama-3.3-70b-instruct')
    expect(exactKey('meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo')).toBe('llama-3.1-8b-instruct-turbo')
    expect(exactKey('claude-3-5-haiku-20241022')).toBe('claude-3.5-haiku-20241022')
    expect(exactKey('claude-sonnet-4-0')).toBe('claude-sonnet-4')
    expect(exactKey('@cf/qwen/qwen3-30b-a3b-fp8')).toBe('qwen-3-30b-a-3b-fp-8')
    expect(exactKey('hf:zai-org/GLM-4.5')).toBe('glm-4.5')
  })

  it('drop dates, then serving words, then word order', () => {
    expect(datelessKey('claude-opus-4-1-20250805')).toBe('claude-opus-4.1')
    expect(datelessKey('mistral-large-latest')).toBe('mistral-large')
    expect(looseKey('@cf/meta/llama-3.3-70b-instruct-fp8-fast')).toBe('llama-3.3-70b')
    expect(looseKey('llama-3.3-70b-versatile')).toBe('llama-3.3-70b')
    expect(wordsKey('anthropic/claude-4-1-opus')).toBe(wordsKey('anthropic/claude-opus-4.1'))
  })
})

describe('matchCanonical', () => {
  it('maps host ids of open models through their org or first word', () => {
    expect(map('meta-llama/Llama-3.3-70B-Instruct-Turbo')).toBe('meta-llama/llama-3.3-70b-instruct')
    expect(map('accounts/fireworks/models/llama-v3p3-70b-instruct')).toBe('meta-llama/llama-3.3-70b-instruct')
    expect(map('@cf/meta/llama-3.3-70b-instruct-fp8-fast')).toBe('meta-llama/llama-3.3-70b-instruct')
    expect(map('Qwen/Qwen3-235B-A22B-Instruct-2507')).toBe('qwen/qwen3-235b-a22b-2507')
    expect(map('deepseek-ai/DeepSeek-V3.1')).toBe('deepseek/deepseek-chat-v3.1')
    expect(map('zai-org/GLM-4.5-FP8')).toBe('z-ai/glm-4.5')
  })

  it('prefers the exact snapshot, then the undated model, for first-party ids', () => {
    expect(map('gpt-4o-2024-08-06', 'openai')).toBe('openai/gpt-4o-2024-08-06')
    expect(map('gpt-4o-2024-11-20', 'openai')).toBe('openai/gpt-4o')
    expect(map('claude-3-5-haiku-20241022', 'anthropic')).toBe('anthropic/claude-3.5-haiku')
    expect(map('claude-opus-4-0', 'anthropic')).toBe('anthropic/claude-opus-4')
  })

  it('does not drop meaningful words from first-party ids', () => {
    // `gpt-5` is not `gpt-5-chat`: the loose levels are for third-party hosts only.
    expect(map('gpt-5', 'openai')).toBeUndefined()
    expect(map('claude-opus-4-1', 'anthropic')).toBe('anthropic/claude-opus-4.1')
  })

  it('breaks a tie by the fewest differing words, and calls an exact tie ambiguous', () => {
    // llama-3.1-405b (base) and -instruct share a loose key; the host's `-Instruct` decides.
    expect(map('meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo')).toBe('meta-llama/llama-3.1-405b-instruct')
    const twins = indexCanonical(['a/foo-1-chat', 'a/foo-1-instruct'])
    expect(matchCanonical('a/foo-1-turbo', 'a', twins)).toEqual({ ambiguous: ['a/foo-1-chat', 'a/foo-1-instruct'] })
  })

  it('leaves what matches nothing unmapped', () => {
    expect(map('meituan-longcat/LongCat-Flash-Chat-FP8')).toBeUndefined()
  })
})

describe('authorOf', () => {
  it('reads the org, else the first word, else the first-party host', () => {
    expect(authorOf('deepseek-ai/DeepSeek-R1', AUTHORS, index.authors)).toBe('deepseek')
    expect(authorOf('llama-3.3-70b', AUTHORS, index.authors)).toBe('meta-llama')
    expect(authorOf('o3-mini', AUTHORS, index.authors, 'openai')).toBe('openai')
    expect(authorOf('openai/gpt-oss-120b', AUTHORS, index.authors, 'x-ai')).toBe('openai')
  })
})
