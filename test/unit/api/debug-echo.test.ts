// The upstream body as the debug chunk shows it: user ids, inline base64 and secrets redacted.
import { describe, expect, it } from 'vitest'
import { echoedUpstreamBody } from '../../../src/api/debug-echo.ts'
import { redactor } from '../../../src/lib/redact.ts'

const SECRET = 'provider-secret-value-123'
const redact = redactor([SECRET])
const base64 = 'iVBORw0KGgo'.repeat(20)

describe('echoedUpstreamBody', () => {
  it('shows the body as JSON, with user ids and inline base64 redacted and other fields as sent', () => {
    const body = {
      model: 'claude-sonnet-4',
      max_tokens: 100,
      metadata: { user_id: 'customer-42' },
      user: 'customer-42',
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: base64 } },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${base64}` } },
        ],
      }],
    }
    expect(echoedUpstreamBody(JSON.stringify(body), redact)).toEqual({
      model: 'claude-sonnet-4',
      max_tokens: 100,
      metadata: { user_id: '[REDACTED]' },
      user: '[REDACTED]',
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: `[base64, ${base64.length} characters]` } },
          { type: 'image_url', image_url: { url: `data:image/png;base64,[base64, ${base64.length} characters]` } },
        ],
      }],
    })
  })

  it('redacts configured secrets and key-shaped text anywhere in it', () => {
    const body = { messages: [{ role: 'system', content: `use ${SECRET} and sk-proj-abcdefghijklmnop1234` }] }
    const shown = JSON.stringify(echoedUpstreamBody(JSON.stringify(body), redact))
    expect(shown).not.toContain(SECRET)
    expect(shown).not.toContain('sk-proj-abcdefghijklmnop1234')
    expect(shown).toContain('[REDACTED]')
  })

  it('a body that is not JSON is shown as redacted text', () => {
    expect(echoedUpstreamBody(`not json ${SECRET}`, redact)).toBe('not json [REDACTED]')
  })
})
