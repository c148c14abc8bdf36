// count_tokens: the stated estimate (JSON at three bytes a token; images a flat 1,600; other files their decoded size).
import { describe, expect, it } from 'vitest'
import { estimatePromptTokens } from '../../../../src/billing/pricing.ts'
import { GatewayError } from '../../../../src/errors.ts'
import { countTokens, decodeCountTokens } from '../../../../src/skins/messages/index.ts'
import { IMAGE_TOKENS } from '../../../../src/skins/messages/count-tokens.ts'

const count = (body: Record<string, unknown>) => countTokens(decodeCountTokens(JSON.stringify({ model: 'claude-sonnet-4-5', ...body }))).input_tokens

describe('countTokens', () => {
  it('needs no max_tokens, and validates like /messages', () => {
    expect(count({ messages: [{ role: 'user', content: 'Hello' }] })).toBeGreaterThan(0)
    expect(() => decodeCountTokens(JSON.stringify({ model: 'x', messages: [] }))).toThrow(GatewayError)
  })

  it('is the estimate of system, messages and tools as JSON', () => {
    const body = {
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello there' }],
      tools: [{ name: 'Read', input_schema: { type: 'object' } }],
    }
    const json = JSON.stringify({
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
      tools: body.tools,
    })
    expect(count(body)).toBe(estimatePromptTokens(json))
  })

  it('grows with the text and with the tools', () => {
    const short = count({ messages: [{ role: 'user', content: 'Hi' }] })
    const long = count({ messages: [{ role: 'user', content: 'Hi '.repeat(3_000) }] })
    const tooled = count({ messages: [{ role: 'user', content: 'Hi' }], tools: [{ name: 'Read', description: 'd'.repeat(3_000), input_schema: { type: 'object' } }] })
    expect(long - short).toBeGreaterThanOrEqual(2_900)
    expect(tooled - short).toBeGreaterThanOrEqual(900)
  })

  it('an image counts a flat 1,600 tokens however large its base64; a PDF its decoded size', () => {
    const image = (data: string) => count({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }] }] })
    const small = image('AAAA')
    expect(image('A'.repeat(400_000))).toBe(small)
    expect(small).toBeGreaterThan(IMAGE_TOKENS)
    expect(small).toBeLessThan(IMAGE_TOKENS + 100)
    const pdf = (data: string) => count({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data } }] }] })
    expect(pdf('A'.repeat(12_000)) - pdf('AAAA')).toBe(Math.ceil(9_000 / 3) - Math.ceil(3 / 3))
  })
})
