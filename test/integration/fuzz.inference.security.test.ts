// Property-based fuzzing of the inference routes (/chat/completions, /completions,
// /embeddings, /messages, /messages/count_tokens, /responses): valid bodies for the fake models, mutated field by field, hostile
// JSON, malformed encodings and odd headers. Never a 5xx; every 4xx is the route's
// envelope (test/helpers/fuzz.ts: Anthropic's on /messages, OpenAI's on /responses). A valid body reaches the fake upstream and is charged, so
// the account has plenty of credit. Regressions found here: fuzz.regressions.test.ts.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { fuzz, routeInputs, send, sweep } from '../helpers/fuzz.ts'
import { edgeNumber, edgeText, plainText, toJson } from '../helpers/fuzz-values.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'

/** Per route; the three together stay well under a minute on a slow 2-core machine. */
const RUNS = 200
const TIMEOUT_MS = 120_000

let keys: string[] = []
beforeAll(async () => {
  const { key, accountId } = await seedAccount({ balanceMicro: 1_000_000_000_000 })
  // A management key too: on inference it is a 403, which the property must also see.
  keys = [key, key, key, (await addKey(accountId, 'management')).key]
})

const text = edgeText(plainText())
const message = fc.oneof(
  fc.record({ role: fc.constant('user'), content: text }),
  fc.record({ role: fc.constant('user'), content: fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ role: fc.constant('user'), content: fc.constant([{ type: 'image_url', image_url: { url: 'https://img.example/a.png' } }]) }),
  fc.record({ role: fc.constantFrom('system', 'developer'), content: text }),
  fc.record({ role: fc.constant('assistant'), content: text }),
)
const tool = fc.record({
  type: fc.constant('function'),
  function: fc.record({ name: fc.constantFrom('get_weather', 'lookup'), parameters: fc.constant({ type: 'object', properties: { q: { type: 'string' } } }) }),
})

const chatBody = fc.record({
  // Mostly the fake models; at times one that a test fake upstream serves through its real adapter (test/fakes).
  // The free variant rarely: its per-minute quota would turn most of the run into 429s.
  model: fc.constantFrom(
    'fake/echo', 'fake/echo', 'fake/story', 'fake/story', 'openrouter/auto', 'fake/echo:free',
    'openai/gpt-4o-mini', 'anthropic/claude-3.5-haiku', 'google/gemini-2.5-flash', 'meta-llama/llama-3.3-70b-instruct',
  ),
  messages: fc.tuple(fc.array(message, { maxLength: 2 }), fc.record({ role: fc.constant('user'), content: text })).map(([m, last]) => [...m, last]),
  stream: fc.boolean(),
  stream_options: fc.constant({ include_usage: true }),
  max_tokens: edgeNumber(fc.integer({ min: 1, max: 200 })),
  temperature: edgeNumber(fc.double({ min: 0, max: 2, noNaN: true })),
  top_p: edgeNumber(fc.double({ min: 0, max: 1, noNaN: true })),
  top_k: edgeNumber(fc.integer({ min: 0, max: 100 })),
  top_logprobs: edgeNumber(fc.integer({ min: 0, max: 20 })),
  logit_bias: fc.dictionary(fc.constantFrom('50256', '1', 'x'), edgeNumber(fc.integer({ min: -100, max: 100 }))),
  stop: fc.oneof(text, fc.array(text, { maxLength: 4 })),
  seed: edgeNumber(fc.integer()),
  tools: fc.array(tool, { minLength: 1, maxLength: 2 }),
  tool_choice: fc.constantFrom('auto', 'none', 'required'),
  response_format: fc.constantFrom({ type: 'text' }, { type: 'json_object' }),
  provider: fc.record({
    sort: fc.constantFrom('price', 'latency', 'throughput'), allow_fallbacks: fc.boolean(), order: fc.constant(['fake', 'fake-eu']),
    max_price: fc.record({ prompt: fc.oneof(edgeNumber(fc.constant(10)), fc.constant('10')), completion: edgeNumber(fc.constant(10)) }),
    preferred_max_latency: edgeNumber(fc.constant(5)),
  }, { requiredKeys: [] }),
  models: fc.constant(['fake/echo']),
  plugins: fc.constantFrom([{ id: 'auto-router', allowed_models: ['fake/*'] }], [{ id: 'response-healing' }], [{ id: 'web', max_results: 3 }], [{ id: 'future-plugin', x: 1 }]),
  max_cost: edgeNumber(fc.double({ min: 0.0001, max: 100, noNaN: true })),
  usage: fc.constant({ include: true }),
  reasoning: fc.record({ effort: fc.constantFrom('low', 'high'), exclude: fc.boolean(), max_tokens: edgeNumber(fc.nat(1000)) }, { requiredKeys: [] }),
  debug: fc.constant({ echo_upstream_body: true }),
  user: text,
}, { requiredKeys: ['model', 'messages'] })

const completionBody = fc.record({
  model: fc.constantFrom('fake/echo', 'fake/story', 'fake/echo', 'openai/gpt-4o-mini', 'meta-llama/llama-3.3-70b-instruct'),
  prompt: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 1 })),
  stream: fc.boolean(),
  max_tokens: edgeNumber(fc.integer({ min: 1, max: 200 })),
  temperature: edgeNumber(fc.double({ min: 0, max: 2, noNaN: true })),
  logprobs: edgeNumber(fc.integer({ min: 0, max: 5 })),
  suffix: text,
  stop: fc.array(text, { maxLength: 4 }),
  provider: fc.constant({ sort: 'price' }),
}, { requiredKeys: ['model', 'prompt'] })

const embeddingsBody = fc.record({
  model: fc.constantFrom('fake/embed', 'fake/embed', 'openai/text-embedding-3-small', 'google/gemini-embedding-001'),
  input: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 4 }), fc.array(edgeNumber(fc.nat(50_000)), { minLength: 1, maxLength: 8 })),
  encoding_format: fc.constantFrom('float', 'base64'),
  dimensions: edgeNumber(fc.integer({ min: 1, max: 64 })),
  user: text,
}, { requiredKeys: ['model', 'input'] })

// Anthropic's spellings (claude-3-5-haiku-20241022 → anthropic/claude-3.5-haiku) next to catalog ids; one unknown, a 404.
const messagesModel = fc.constantFrom('fake/echo', 'fake/echo', 'fake/story', 'claude-3-5-haiku-20241022', 'anthropic/claude-3.5-haiku', 'claude-nonexistent-9')
const block = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({ type: fc.constant('text'), text, cache_control: fc.constant({ type: 'ephemeral' }) }),
  fc.constant({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }),
)
const anthropicMessages = fc.tuple(
  fc.array(fc.tuple(fc.record({ role: fc.constant('user'), content: fc.oneof(text, fc.array(block, { minLength: 1, maxLength: 2 })) }), fc.record({ role: fc.constant('assistant'), content: text })), { maxLength: 1 }),
  fc.record({ role: fc.constant('user'), content: fc.oneof(text, fc.array(block, { minLength: 1, maxLength: 2 })) }),
).map(([turns, last]) => [...turns.flat(), last])
const anthropicTool = fc.record({ name: fc.constantFrom('get_weather', 'lookup'), description: text, input_schema: fc.constant({ type: 'object', properties: { q: { type: 'string' } } }) })
const countShape = {
  model: messagesModel,
  messages: anthropicMessages,
  system: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 2 })),
  tools: fc.array(anthropicTool, { minLength: 1, maxLength: 2 }),
  tool_choice: fc.constantFrom({ type: 'auto' }, { type: 'any' }, { type: 'tool', name: 'lookup' }, { type: 'none' }),
  thinking: fc.constantFrom({ type: 'enabled', budget_tokens: 1024 }, { type: 'disabled' }),
}
const countTokensBody = fc.record(countShape, { requiredKeys: ['model', 'messages'] })
const messagesBody = fc.record({
  ...countShape,
  max_tokens: edgeNumber(fc.integer({ min: 1, max: 200 })),
  stream: fc.boolean(),
  stop_sequences: fc.array(text, { maxLength: 3 }),
  temperature: edgeNumber(fc.double({ min: 0, max: 1, noNaN: true })),
  top_p: edgeNumber(fc.double({ min: 0, max: 1, noNaN: true })),
  top_k: edgeNumber(fc.integer({ min: 0, max: 100 })),
  metadata: fc.record({ user_id: text }),
  models: fc.constant(['fake/echo']),
  provider: fc.constant({ sort: 'price' }),
  max_cost: edgeNumber(fc.double({ min: 0.0001, max: 100, noNaN: true })),
}, { requiredKeys: ['model', 'messages', 'max_tokens'] })
const MESSAGES_FIELDS = ['model', 'models', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config', 'max_tokens', 'stream',
  'stop_sequences', 'temperature', 'top_p', 'top_k', 'metadata', 'provider', 'route', 'max_cost', 'cache_control']

const inputItem = fc.oneof(
  fc.record({ role: fc.constantFrom('user', 'system', 'developer'), content: text }),
  fc.record({ type: fc.constant('message'), role: fc.constant('user'), content: fc.array(fc.record({ type: fc.constant('input_text'), text }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ type: fc.constant('message'), role: fc.constant('assistant'), content: fc.array(fc.record({ type: fc.constant('output_text'), text }), { minLength: 1, maxLength: 1 }) }),
)
const responsesBody = fc.record({
  model: fc.constantFrom('fake/echo', 'fake/echo', 'fake/story', 'openai/gpt-4o-mini', 'openrouter/auto', 'nobody/nothing'),
  input: fc.oneof(text, fc.tuple(fc.array(inputItem, { maxLength: 2 }), fc.record({ role: fc.constant('user'), content: text })).map(([items, last]) => [...items, last])),
  instructions: text,
  stream: fc.boolean(),
  max_output_tokens: edgeNumber(fc.integer({ min: 1, max: 200 })),
  temperature: edgeNumber(fc.double({ min: 0, max: 2, noNaN: true })),
  tools: fc.array(fc.record({ type: fc.constant('function'), name: fc.constantFrom('get_weather', 'lookup'), parameters: fc.constant({ type: 'object' }) }), { minLength: 1, maxLength: 2 }),
  tool_choice: fc.constantFrom('auto', 'none', 'required', { type: 'function', name: 'lookup' }),
  text: fc.constantFrom({ format: { type: 'text' } }, { format: { type: 'json_object' } }, { verbosity: 'low' }),
  reasoning: fc.record({ effort: fc.constantFrom('low', 'high', 'none'), summary: fc.constantFrom('auto', 'detailed') }, { requiredKeys: [] }),
  store: fc.boolean(),
  metadata: fc.dictionary(fc.constantFrom('a', 'b'), text),
  provider: fc.constant({ sort: 'price' }),
}, { requiredKeys: ['model', 'input'] })
const RESPONSES_FIELDS = ['model', 'models', 'input', 'instructions', 'stream', 'max_output_tokens', 'temperature', 'tools', 'tool_choice', 'text',
  'reasoning', 'store', 'metadata', 'previous_response_id', 'conversation', 'background', 'provider', 'parallel_tool_calls']

const CHAT_FIELDS = ['model', 'models', 'messages', 'stream', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_k', 'logit_bias', 'tools',
  'tool_choice', 'response_format', 'provider', 'route', 'plugins', 'max_cost', 'reasoning', 'usage', 'transforms', 'debug', 'stop', 'n', 'top_logprobs']

const cases = [
  { path: '/chat/completions', valid: () => chatBody, fields: CHAT_FIELDS },
  { path: '/completions', valid: () => completionBody, fields: ['model', 'prompt', 'max_tokens', 'logprobs', 'echo', 'best_of', 'suffix', 'provider', 'models'] },
  { path: '/embeddings', valid: () => embeddingsBody, fields: ['model', 'models', 'input', 'dimensions', 'encoding_format', 'provider'] },
  { path: '/messages', valid: () => messagesBody, fields: MESSAGES_FIELDS },
  { path: '/messages/count_tokens', valid: () => countTokensBody, fields: MESSAGES_FIELDS },
  { path: '/responses', valid: () => responsesBody, fields: RESPONSES_FIELDS },
]

/** Every field of each route, at once: the sweep faults each in turn. */
const FULL = {
  '/chat/completions': {
    model: 'fake/echo', models: ['fake/echo'],
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }, { type: 'image_url', image_url: { url: 'https://img.example/a.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'found' },
      { role: 'user', content: 'and then?' },
    ],
    stream: false, stream_options: { include_usage: true }, max_tokens: 50, max_completion_tokens: 50, temperature: 1, top_p: 0.9, top_k: 40,
    frequency_penalty: 0, presence_penalty: 0, repetition_penalty: 1, seed: 7, stop: ['\n\n'], logit_bias: { 50256: -100 }, logprobs: false,
    top_logprobs: 0, response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
    tool_choice: 'auto', parallel_tool_calls: true, user: 'u1', reasoning: { effort: 'low', max_tokens: 100, exclude: false }, include_reasoning: false,
    provider: {
      order: ['fake'], allow_fallbacks: true, sort: 'price', max_price: { prompt: 10, completion: 10 }, data_collection: 'allow',
      preferred_max_latency: { p90: 5 }, region: ['us'],
    },
    route: 'fallback', usage: { include: true }, transforms: [], debug: { echo_upstream_body: false },
    plugins: [{ id: 'auto-router', allowed_models: ['fake/*'], enabled: true }, { id: 'web', max_results: 3 }], max_cost: 10,
  },
  '/completions': {
    model: 'fake/echo', models: ['fake/echo'], prompt: 'Once upon', stream: false, max_tokens: 20, temperature: 1, top_p: 1, seed: 1, stop: ['.'],
    logit_bias: { 1: 1 }, logprobs: 0, suffix: '', user: 'u', provider: { sort: 'price' }, usage: { include: true },
  },
  '/embeddings': { model: 'fake/embed', models: ['fake/embed'], input: ['a', 'b'], encoding_format: 'float', dimensions: 8, user: 'u', provider: { sort: 'price' } },
  '/messages': {
    model: 'claude-3-5-haiku-20241022', models: ['fake/echo'], max_tokens: 50, system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found' }, { type: 'text', text: 'and then?' }] },
    ],
    tools: [{ name: 'lookup', description: 'looks up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }], tool_choice: { type: 'auto' },
    stream: false, stop_sequences: ['\n\n'], temperature: 1, top_p: 0.9, top_k: 40, metadata: { user_id: 'u1' },
    provider: { sort: 'price' }, route: 'fallback', max_cost: 10,
  },
  '/messages/count_tokens': {
    model: 'claude-3-5-haiku-20241022', system: 'be brief', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    tools: [{ name: 'lookup', input_schema: { type: 'object' } }], tool_choice: { type: 'any' }, thinking: { type: 'enabled', budget_tokens: 1024 },
  },
  '/responses': {
    model: 'fake/echo', models: ['fake/echo'], instructions: 'be brief',
    input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'https://img.example/a.png' }] },
      { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'found' },
      { role: 'user', content: 'and then?' },
    ],
    tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }], tool_choice: 'auto', parallel_tool_calls: true, stream: false,
    max_output_tokens: 50, temperature: 1, top_p: 1, text: { format: { type: 'text' } }, reasoning: { effort: 'low' }, store: false,
    metadata: { a: 'b' }, provider: { sort: 'price' },
  },
}

describe('sweep: each field of a full body, faulted one at a time', () => {
  it.each(Object.entries(FULL))('POST %s', async (path, body) => {
    const headers = { authorization: `Bearer ${keys[0]}`, 'content-type': 'application/json' }
    expect(await send({ method: 'POST', path, headers, body: toJson(body) }), 'the full body itself is served').toBe(200)
    const tally = await sweep({ method: 'POST', path, credential: keys[0] ?? '' }, body)
    expect(tally['2xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
  }, TIMEOUT_MS)
})

describe('fuzz: inference routes answer every body and header with a 4xx envelope or a success, never a 5xx', () => {
  it.each(cases)('POST $path', async ({ path, valid, fields }) => {
    const tally = await fuzz(routeInputs({ method: 'POST', path: fc.constant(path), credentials: keys, body: valid(), fields }), { numRuns: RUNS })
    // The generators must reach both sides: some requests served, some refused.
    expect(tally['2xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
    expect(tally['4xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
  }, TIMEOUT_MS)
})
