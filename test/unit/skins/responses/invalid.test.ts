// The Responses skin refuses bad bodies with a 400 in its envelope, naming the field (the
// envelope's `param`): shapes zod rejects, what a stateless endpoint cannot do, tools and
// tool_choice that do not add up.
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../../src/errors.ts'
import { toCanonical } from '../../../../src/skins/responses/canonical.ts'
import { responsesErrorBody } from '../../../../src/skins/responses/errors.ts'
import { decodeResponses } from '../../../../src/skins/responses/request.ts'

const canonical = (body: unknown) => toCanonical(decodeResponses(JSON.stringify(body)))

/** The 400 a body gets: its message and `param`, as the skin's envelope shows them. */
const refusal = (body: unknown): { message: string; param: unknown; status: number } => {
  try {
    canonical(body)
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    const { status, body: envelope } = responsesErrorBody(err)
    const e = (envelope as { error: { message: string; param: unknown } }).error
    return { message: e.message, param: e.param, status }
  }
  throw new Error('expected a 400')
}

const WEATHER = { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }

describe('bad bodies are 400s naming the field', () => {
  const cases: { name: string; body: unknown; param: string; says: RegExp }[] = [
    { name: 'previous_response_id: stateless', body: { input: 'x', previous_response_id: 'resp_1' }, param: 'previous_response_id', says: /stateless.*send the whole conversation in `input`/ },
    { name: 'conversation: stateless', body: { input: 'x', conversation: 'conv_1' }, param: 'conversation', says: /stateless/ },
    { name: 'background: stateless', body: { input: 'x', background: true }, param: 'background', says: /stateless/ },
    { name: 'no input', body: { model: 'm' }, param: 'input', says: /input/ },
    { name: 'an empty input list', body: { input: [] }, param: 'input', says: /input/ },
    { name: 'an unknown item type', body: { input: [{ type: 'item_reference', id: 'x' }] }, param: 'input.0.type', says: /unsupported input item type/ },
    { name: 'a bad role', body: { input: [{ role: 'tool', content: 'x' }] }, param: 'input.0.role', says: /role/ },
    { name: 'an unknown content part', body: { input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, param: 'input.0.content.0.type', says: /type/ },
    { name: 'an image by file id', body: { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] }, param: 'input.0.content.0.image_url', says: /stateless/ },
    { name: 'a function call without call_id', body: { input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, param: 'input.0.call_id', says: /call_id/ },
    { name: 'a bad tool name', body: { input: 'x', tools: [{ type: 'function', name: 'has space' }] }, param: 'tools.0.name', says: /a-z/ },
    { name: 'a tool declared twice', body: { input: 'x', tools: [WEATHER, WEATHER] }, param: 'tools.1.name', says: /twice/ },
    { name: 'tool_choice names no tool', body: { input: 'x', tools: [WEATHER], tool_choice: { type: 'function', name: 'nope' } }, param: 'tool_choice', says: /nope/ },
    { name: 'temperature out of range', body: { input: 'x', temperature: 3 }, param: 'temperature', says: /temperature/ },
    { name: 'max_output_tokens 0', body: { input: 'x', max_output_tokens: 0 }, param: 'max_output_tokens', says: /max_output_tokens/ },
    { name: 'a json_schema format without schema', body: { input: 'x', text: { format: { type: 'json_schema', name: 'x' } } }, param: 'text.format.schema', says: /schema/ },
    { name: 'an unknown effort', body: { input: 'x', reasoning: { effort: 'extreme' } }, param: 'reasoning.effort', says: /effort/ },
    { name: 'input only reasoning', body: { input: [{ type: 'reasoning', summary: [] }] }, param: 'input', says: /no message/ },
  ]
  it.each(cases)('$name', ({ body, param, says }) => {
    const got = refusal(body)
    expect(got.status).toBe(400)
    expect(got.param).toBe(param)
    expect(got.message).toMatch(says)
  })

  it('is a 400 on a body that is not JSON', () => {
    expect(() => decodeResponses('{"input": ')).toThrow(/Invalid JSON/)
  })
})
