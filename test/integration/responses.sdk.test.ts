// The real `openai` SDK's Responses API, inside workerd and pointed at POST /api/v1/responses:
// on a Claude model (translated to the Anthropic-wire fake) and an open model (the OpenAI-wire
// fakes), the same calls work: responses.create as JSON and streamed, a function-call round
// trip, an image, reasoning items; usage.cost is what /generation records, api_type "responses".
import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses'
import { beforeAll, describe, expect, it } from 'vitest'
import { publicGeneration } from '../helpers/ledger.ts'
import { costOf, openaiClient } from '../helpers/sdk.ts'
import { seedAccount, type Seeded } from '../helpers/seed.ts'
import { marker, receivedWith } from '../helpers/upstream-log.ts'

let account: Seeded

beforeAll(async () => {
  account = await seedAccount({ balanceMicro: 50_000_000 })
})

const generationOf = (id: string) => publicGeneration(account, id)

const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  strict: false,
}
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

const MODELS = [
  { label: 'Claude (translated)', model: 'anthropic/claude-3.5-haiku', host: 'anthropic.test' },
  { label: 'open model', model: 'meta-llama/llama-4-scout', host: expect.stringMatching(/^(groq|together)\.test$/) },
]

describe.each(MODELS)('openai SDK responses → $label', ({ model, host }) => {
  it('responses.create: output_text, X-Generation-Id, usage.cost equal to /generation, api_type responses', async () => {
    const { data: response, response: raw } = await openaiClient(account.key).responses.create({ model, input: 'hello from codex' }).withResponse()
    expect(response).toMatchObject({ object: 'response', status: 'completed', model, output_text: 'You said: hello from codex' })
    const generationId = raw.headers.get('x-generation-id') ?? ''
    expect(generationId).toMatch(/^gen-/)
    expect(response.id).toBe(`resp_${generationId.slice('gen-'.length)}`)
    expect(response.usage).toMatchObject({ output_tokens: 5, input_tokens: expect.any(Number) })
    const gen = await generationOf(generationId)
    expect(gen).toMatchObject({ model, api_type: 'responses', streamed: false, tokens_completion: 5 })
    expect(costOf(response.usage)).toBeGreaterThan(0)
    expect(gen.total_cost).toBe(costOf(response.usage))
    // The response's own id finds the same record.
    expect(await generationOf(response.id)).toEqual(gen)
  })

  it('a function-call round trip: function_call, then its function_call_output answered', async () => {
    const client = openaiClient(account.key)
    const input: ResponseInputItem[] = [{ role: 'user', content: 'weather in Paris' }]
    const first = await client.responses.create({ model, input, tools: [weather], tool_choice: 'required' })
    const fc = first.output.find((item) => item.type === 'function_call')
    expect(fc).toMatchObject({ type: 'function_call', name: 'get_weather', call_id: expect.any(String), status: 'completed' })
    if (fc?.type !== 'function_call') throw new Error('expected a function_call item')
    expect(JSON.parse(fc.arguments)).toEqual({ text: 'weather in Paris' })
    const second = await client.responses.create({
      model, tools: [weather],
      input: [...input, ...first.output.filter((item) => item.type !== 'message') as ResponseInputItem[], { type: 'function_call_output', call_id: fc.call_id, output: '{"temp_c":21}' }],
    })
    expect(second.output_text).toMatch(/^The tool returned: .*21/)
  })

  it('stream: the event sequence the SDK checks, text deltas, and a completed response with usage.cost', async () => {
    const stream = openaiClient(account.key).responses.stream({ model, input: 'stream these four words' })
    const types: string[] = []
    let text = ''
    stream.on('event', (event) => types.push(event.type))
    stream.on('response.output_text.delta', (event) => (text += event.delta))
    const response = await stream.finalResponse()
    expect(text).toBe('You said: stream these four words')
    expect(response).toMatchObject({ status: 'completed', output_text: text })
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress'])
    expect(types).toEqual(expect.arrayContaining(['response.output_item.added', 'response.content_part.added', 'response.output_text.done', 'response.output_item.done']))
    expect(types.at(-1)).toBe('response.completed')
    const gen = await generationOf(`gen-${response.id.slice('resp_'.length)}`)
    expect(gen).toMatchObject({ api_type: 'responses', streamed: true, tokens_completion: 6 })
    expect(gen.total_cost).toBe(costOf(response.usage))
  })

  it('stream: function-call arguments stream as deltas and finish as the call', async () => {
    const events = await openaiClient(account.key).responses.create({ model, input: 'Oslo please', tools: [weather], tool_choice: { type: 'function', name: 'get_weather' }, stream: true })
    let args = ''
    let completed: unknown
    for await (const event of events) {
      if (event.type === 'response.function_call_arguments.delta') args += event.delta
      if (event.type === 'response.completed') completed = event.response
    }
    expect(JSON.parse(args)).toEqual({ text: 'Oslo please' })
    expect(completed).toMatchObject({ status: 'completed', output: expect.arrayContaining([expect.objectContaining({ type: 'function_call', name: 'get_weather', arguments: args })]) })
  })

  it('an input_image reaches the upstream as its wire\'s image', async () => {
    const tag = marker('responses-image')
    const response = await openaiClient(account.key).responses.create({
      model, input: [{ role: 'user', content: [{ type: 'input_image', image_url: PNG, detail: 'auto' }, { type: 'input_text', text: `what is this ${tag}` }] }],
    })
    expect(response.output_text).toContain(`what is this ${tag}`)
    const [sent] = await receivedWith(tag)
    expect(sent?.host).toEqual(host)
    const parts = JSON.parse(sent?.body ?? '{}').messages.at(-1).content
    expect(parts).toContainEqual(sent?.host === 'anthropic.test'
      ? { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG.split(',')[1] } }
      : { type: 'image_url', image_url: { url: PNG, detail: 'auto' } })
  })
})

describe('openai SDK responses: reasoning items', () => {
  it('Claude: a reasoning item whose encrypted_content carries the signature back on the round trip', async () => {
    const client = openaiClient(account.key)
    const tag = marker('responses-think')
    const common = { model: 'anthropic/claude-sonnet-4.5', reasoning: { effort: 'low' as const }, tools: [weather], max_output_tokens: 4000 }
    const input: ResponseInputItem[] = [{ role: 'user', content: `use get_weather for Oslo ${tag}` }]
    const first = await client.responses.create({ ...common, input })
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'function_call'])
    expect(first.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: `Thinking about: use get_weather for Oslo ${tag}` }], encrypted_content: expect.any(String) })
    const fc = first.output[1]
    if (fc?.type !== 'function_call') throw new Error('expected a function_call item')
    const second = await client.responses.create({ ...common, input: [...input, ...first.output as ResponseInputItem[], { type: 'function_call_output', call_id: fc.call_id, output: '-3°C' }] })
    expect(second.output_text).toBe('The tool returned: -3°C')
    // The strict fake checks the thinking signature: it came back intact through encrypted_content.
    const sent = await receivedWith(tag)
    expect(sent).toHaveLength(2)
    expect(JSON.parse(sent[1]?.body ?? '{}').messages[1].content[0]).toMatchObject({ type: 'thinking', thinking: `Thinking about: use get_weather for Oslo ${tag}`, signature: expect.any(String) })
  })

  it('open model: reasoning as a reasoning item with its summary, JSON and streamed', async () => {
    const client = openaiClient(account.key)
    const body = { model: 'deepseek/deepseek-r1', reasoning: { effort: 'medium' as const }, input: 'why is the sky blue [[fake reasoning]]' }
    const json = await client.responses.create(body)
    expect(json.output.map((item) => item.type)).toEqual(['reasoning', 'message'])
    expect(json.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: 'Thinking about: why is the sky blue' }] })
    expect(json.output_text).toBe('You said: why is the sky blue')
    expect(json.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0)
    const streamed = await client.responses.stream(body).finalResponse()
    expect(streamed.output.map((item) => item.type)).toEqual(['reasoning', 'message'])
    expect(streamed.output_text).toBe(json.output_text)
  })
})
