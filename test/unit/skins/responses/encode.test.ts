// The Responses skin's JSON side: a canonical answer → the `response` object, read back by
// the real `openai` SDK; the error envelope as the SDK's APIError sees it.
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import type { Cost } from '../../../../src/billing/pricing.ts'
import { GatewayError } from '../../../../src/errors.ts'
import { micro } from '../../../../src/lib/money.ts'
import type { CanonicalMessage, CanonicalResponse, FinishReason, Usage } from '../../../../src/providers/types.ts'
import { responsesCodec } from '../../../../src/skins/responses/index.ts'
import type { SkinMeta } from '../../../../src/skins/skin.ts'

const META: SkinMeta = { id: 'gen-1700000000-AbCdEfGhIjKlMnOpQrSt', created: 1_700_000_000, model: 'openai/gpt-4o-mini', provider: 'OpenAI' }
const USAGE: Usage = { prompt_tokens: 120, completion_tokens: 30, cached_tokens: 100, cache_write_tokens: 0, reasoning_tokens: 12 }
const COST: Cost = { total: micro(1_234), prompt: micro(234), completion: micro(1_000) }

const answer = (message: Partial<CanonicalMessage>, finish: FinishReason | null = 'stop'): CanonicalResponse => ({
  upstreamId: 'up-1',
  systemFingerprint: null,
  choices: [{
    index: 0,
    message: { role: 'assistant', content: null, refusal: null, reasoning: null, ...message },
    finish_reason: finish,
    native_finish_reason: finish,
    logprobs: null,
  }],
  usage: USAGE,
})

const decode = (body: Record<string, unknown>) => responsesCodec.decode(JSON.stringify({ model: 'openai/gpt-4o-mini', ...body }))
const encode = (body: Record<string, unknown>, res: CanonicalResponse) => {
  const req = decode(body)
  return JSON.parse(JSON.stringify(responsesCodec.encodeJson(META, res, USAGE, COST, req))) as Record<string, unknown> & { output: Record<string, unknown>[] }
}

/** The openai SDK pointed at a fetch that answers `status` with `body`. */
const sdkAnswering = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'https://gateway.test/api/v1',
    maxRetries: 0,
    fetch: async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } }),
  })

const WEATHER = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }

describe('encodeJson', () => {
  it('a text answer: the response object, its message item, output_text, usage with cost, the settings echoed', async () => {
    const body = encode({ input: 'hi', instructions: 'Be brief.', temperature: 0.5, max_output_tokens: 99, metadata: { k: 'v' }, store: true }, answer({ content: 'Hello!' }))
    expect(body).toMatchObject({
      id: 'resp_1700000000-AbCdEfGhIjKlMnOpQrSt',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'openai/gpt-4o-mini',
      output_text: 'Hello!',
      instructions: 'Be brief.',
      temperature: 0.5,
      top_p: null,
      max_output_tokens: 99,
      metadata: { k: 'v' },
      tools: [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      text: { format: { type: 'text' } },
      store: false, // nothing is ever stored, whatever was asked
      previous_response_id: null,
      usage: {
        input_tokens: 120,
        input_tokens_details: { cached_tokens: 100 },
        output_tokens: 30,
        output_tokens_details: { reasoning_tokens: 12 },
        total_tokens: 150,
        cost: 0.001234,
      },
    })
    expect(body.output).toEqual([{
      type: 'message', id: 'msg_1700000000-AbCdEfGhIjKlMnOpQrSt_0', status: 'completed', role: 'assistant',
      content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }],
    }])

    const res = await sdkAnswering(200, body).responses.create({ model: 'openai/gpt-4o-mini', input: 'hi' })
    expect(res.output_text).toBe('Hello!')
    expect(res.usage?.output_tokens_details.reasoning_tokens).toBe(12)
  })

  it('function calls: one function_call item each (no empty message beside them), paired by call_id', async () => {
    const body = encode({ input: 'weather?', tools: [WEATHER] }, answer({
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ],
    }, 'tool_calls'))
    expect(body.status).toBe('completed')
    expect(body.output).toEqual([
      { type: 'function_call', id: 'fc_1700000000-AbCdEfGhIjKlMnOpQrSt_0', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
      { type: 'function_call', id: 'fc_1700000000-AbCdEfGhIjKlMnOpQrSt_1', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}', status: 'completed' },
    ])
    expect(body.output_text).toBe('')
    expect(body.tools).toEqual([WEATHER])

    const res = await sdkAnswering(200, body).responses.create({ model: 'm', input: 'weather?' })
    const calls = res.output.filter((o) => o.type === 'function_call')
    expect(calls.map((c) => c.call_id)).toEqual(['call_1', 'call_2'])
  })

  it('text and a call: the message, then the call', () => {
    const body = encode({ input: 'x', tools: [WEATHER] }, answer({
      content: 'Let me check.', tool_calls: [{ id: 'c', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
    }, 'tool_calls'))
    expect(body.output.map((o) => o.type)).toEqual(['message', 'function_call'])
    expect(body.output_text).toBe('Let me check.')
  })

  it('a call to a custom tool comes back as a custom_tool_call with its free-form input; a namespaced one names its namespace', () => {
    const body = encode({
      input: 'x',
      tools: [
        { type: 'custom', name: 'apply_patch' },
        { type: 'namespace', name: 'agents', description: 'A', tools: [{ type: 'function', name: 'spawn' }] },
      ],
    }, answer({
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch"}' } },
        { id: 'c2', type: 'function', function: { name: 'spawn', arguments: '{"task":"t"}' } },
      ],
    }, 'tool_calls'))
    expect(body.output).toEqual([
      { type: 'custom_tool_call', id: 'ctc_1700000000-AbCdEfGhIjKlMnOpQrSt_0', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' },
      { type: 'function_call', id: 'fc_1700000000-AbCdEfGhIjKlMnOpQrSt_1', call_id: 'c2', name: 'spawn', namespace: 'agents', arguments: '{"task":"t"}', status: 'completed' },
    ])
    // The hosted-tool wrapping never shows: tools are echoed as sent.
    expect(encode({ input: 'x', tools: [{ type: 'web_search', external_web_access: false }] }, answer({ content: 'k' })).tools)
      .toEqual([{ type: 'web_search', external_web_access: false }])
  })

  it('reasoning: a reasoning item first (text as a summary, details sealed), and sent back it restores the same details', () => {
    const details = [
      { type: 'reasoning.text' as const, text: 'Let me think. ☕', signature: 'sig-abc', format: 'anthropic-claude-v1', index: 0 },
      { type: 'reasoning.encrypted' as const, data: 'redacted-blob', format: 'anthropic-claude-v1', index: 1 },
    ]
    const body = encode({ input: 'q', tools: [WEATHER] }, answer({
      reasoning: 'Let me think. ☕', reasoning_details: details,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
    }, 'tool_calls'))
    expect(body.output.map((o) => o.type)).toEqual(['reasoning', 'function_call'])
    const reasoning = body.output[0]!
    expect(reasoning).toMatchObject({ type: 'reasoning', id: 'rs_1700000000-AbCdEfGhIjKlMnOpQrSt_0', summary: [{ type: 'summary_text', text: 'Let me think. ☕' }] })
    expect(reasoning.encrypted_content).toEqual(expect.any(String))
    expect(reasoning.encrypted_content).not.toContain('sig-abc') // opaque to the client

    // The next turn sends the output items back, with the tool's output.
    const next = responsesCodec.toCanonical(decode({
      input: [{ role: 'user', content: 'q' }, ...body.output, { type: 'function_call_output', call_id: 'c1', output: 'sunny' }],
      tools: [WEATHER],
    }))
    expect(next.messages[1]).toEqual({
      role: 'assistant', content: null, reasoning: 'Let me think. ☕', reasoning_details: details,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
    })
  })

  it('plain reasoning (no details) has no encrypted_content', () => {
    const body = encode({ input: 'q' }, answer({ reasoning: 'hmm', content: 'A' }))
    expect(body.output[0]).toEqual({ type: 'reasoning', id: 'rs_1700000000-AbCdEfGhIjKlMnOpQrSt_0', summary: [{ type: 'summary_text', text: 'hmm' }], encrypted_content: null })
    expect(body.output[1]).toMatchObject({ type: 'message', id: 'msg_1700000000-AbCdEfGhIjKlMnOpQrSt_1' })
  })

  it('cut at max_output_tokens: incomplete, with the reason, and so is the message', async () => {
    const body = encode({ input: 'x', max_output_tokens: 5 }, answer({ content: 'Once upon' }, 'length'))
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'Once upon' })
    expect(body.output[0]).toMatchObject({ type: 'message', status: 'incomplete' })
    const res = await sdkAnswering(200, body).responses.create({ model: 'm', input: 'x' })
    expect(res.incomplete_details?.reason).toBe('max_output_tokens')
  })

  it('a refusal is a refusal part; an empty answer is an empty message', () => {
    expect(encode({ input: 'x' }, answer({ refusal: 'I cannot help with that.' })).output[0])
      .toMatchObject({ type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] })
    const empty = encode({ input: 'x' }, answer({ content: '' }))
    expect(empty.output).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ type: 'output_text', text: '' })] })])
  })

  it('echoes text.format, reasoning, tool_choice and parallel_tool_calls as sent', () => {
    const format = { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }
    const body = encode({
      input: 'x', text: { format, verbosity: 'low' }, reasoning: { effort: 'low', summary: 'auto' }, tools: [WEATHER],
      tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false,
    }, answer({ content: '{}' }))
    expect(body).toMatchObject({
      text: { format, verbosity: 'low' }, reasoning: { effort: 'low', summary: 'auto' },
      tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false,
    })
  })
})

describe('errorBody: the OpenAI envelope the SDK reads', () => {
  const cases = [
    {
      name: 'a validation error names its param',
      error: new GatewayError('invalid_request', 'Invalid request: temperature: Too big', { metadata: { issues: [{ path: 'temperature', message: 'Too big' }] } }),
      status: 400, type: 'invalid_request_error', code: 'invalid_request', param: 'temperature',
    },
    { name: 'a bad key', error: new GatewayError('unauthorized', 'Invalid API key'), status: 401, type: 'authentication_error', code: 'invalid_api_key', param: null },
    { name: 'no credits', error: new GatewayError('payment_required', 'Insufficient credits'), status: 402, type: 'insufficient_quota', code: 'insufficient_quota', param: null },
    { name: 'an unknown model', error: new GatewayError('unknown_model', 'No such model: x/y'), status: 400, type: 'invalid_request_error', code: 'model_not_found', param: null },
    {
      name: 'a rate limit keeps its Retry-After',
      error: new GatewayError('rate_limited', 'Slow down', { headers: { 'retry-after': '7' } }),
      status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null,
    },
    { name: 'every provider down', error: new GatewayError('unavailable', 'No provider could serve'), status: 503, type: 'server_error', code: 'provider_overloaded', param: null },
  ]
  it.each(cases)('$name', async ({ error, status, type, code, param }) => {
    const out = responsesCodec.errorBody(error)
    expect(out.status).toBe(status)
    expect(out.body).toMatchObject({ error: { message: error.message, type, code, param, metadata: { error_type: error.errorType } } })
    expect(out.headers).toEqual(error.headers)

    const sdk = sdkAnswering(out.status, out.body, out.headers)
    const thrown = await sdk.responses.create({ model: 'm', input: 'x' }).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(OpenAI.APIError)
    const apiError = thrown as InstanceType<typeof OpenAI.APIError>
    expect(apiError.status).toBe(status)
    expect(apiError.code).toBe(code)
    expect(apiError.type).toBe(type)
    expect(apiError.param).toBe(param)
    expect(apiError.message).toContain(error.message)
  })
})
