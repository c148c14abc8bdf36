// The Responses skin's request side: wire body → validated request → canonical chat request,
// as tables of inputs and the chat request each becomes (bad bodies: invalid.test.ts).
import { describe, expect, it } from 'vitest'
import { ChatRequest } from '../../../../src/schemas/chat-request.ts'
import { toCanonical } from '../../../../src/skins/responses/canonical.ts'
import { sealDetails } from '../../../../src/skins/responses/reasoning.ts'
import { decodeResponses } from '../../../../src/skins/responses/request.ts'

const canonical = (body: unknown) => toCanonical(decodeResponses(JSON.stringify(body)))

const WEATHER = { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }

describe('input → canonical messages', () => {
  const cases: { name: string; body: Record<string, unknown>; messages: unknown[] }[] = [
    { name: 'a string input is one user message', body: { input: 'hi' }, messages: [{ role: 'user', content: 'hi' }] },
    {
      name: 'instructions become the first system message',
      body: { instructions: 'Be brief.', input: 'hi' },
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
    },
    {
      name: 'message items without type (EasyInputMessage), string content',
      body: { input: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] },
      messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }],
    },
    {
      name: 'developer is system; system stays system; parts become chat parts',
      body: {
        input: [
          { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'd1' }, { type: 'input_text', text: 'd2' }] },
          { type: 'message', role: 'system', content: 's' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'u' }] },
        ],
      },
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'd1' }, { type: 'text', text: 'd2' }] },
        { role: 'system', content: 's' },
        { role: 'user', content: [{ type: 'text', text: 'u' }] },
      ],
    },
    {
      name: 'images (URL and data URL, detail kept) and inline files',
      body: {
        input: [{
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'https://img.test/cat.png', detail: 'high' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          ],
        }],
      },
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'https://img.test/cat.png', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
        ],
      }],
    },
    {
      name: 'assistant history: output_text parts joined, then its function calls, then the outputs as tool messages',
      body: {
        input: [
          { role: 'user', content: 'weather in Paris and Rome?' },
          { type: 'message', role: 'assistant', status: 'completed', id: 'msg_1', content: [{ type: 'output_text', text: 'Checking', annotations: [] }, { type: 'output_text', text: '…', annotations: [] }] },
          { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
          { type: 'function_call', id: 'fc_2', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
          { type: 'function_call_output', call_id: 'call_a', output: '18C' },
          { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '21C' }, { type: 'input_text', text: 'sunny' }] },
        ],
        tools: [WEATHER],
      },
      messages: [
        { role: 'user', content: 'weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking…',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '18C' },
        { role: 'tool', tool_call_id: 'call_b', content: '21C\nsunny' },
      ],
    },
    {
      name: 'a tool output with an image keeps its parts',
      body: {
        input: [
          { type: 'function_call', call_id: 'c1', name: 'view_image', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_image', image_url: 'data:image/png;base64,AA==' }] },
        ],
      },
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'view_image', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
      ],
    },
    {
      name: 'reasoning items: summary text and sealed details go to the assistant turn they precede',
      body: {
        input: [
          { role: 'user', content: 'q' },
          {
            type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'think' }],
            encrypted_content: sealDetails([{ type: 'reasoning.text', text: 'think', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }]),
          },
          { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'ok' },
          { type: 'reasoning', id: 'rs_2', summary: [], content: [{ type: 'reasoning_text', text: 'raw' }], encrypted_content: 'gAAAAB-openai-opaque' },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'done' }] },
        ],
      },
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant', content: null, reasoning: 'think',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
          reasoning_details: [{ type: 'reasoning.text', text: 'think', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        {
          role: 'assistant', content: 'done', reasoning: 'raw',
          reasoning_details: [{ type: 'reasoning.encrypted', data: 'gAAAAB-openai-opaque', format: 'openai-responses-v1', index: 0 }],
        },
      ],
    },
    {
      name: 'two reasoning items in one turn: the second one\'s details are numbered after the first one\'s',
      body: {
        input: [
          { role: 'user', content: 'q' },
          { type: 'reasoning', summary: [], encrypted_content: sealDetails([{ type: 'reasoning.text', text: 'a', signature: 's1', format: 'anthropic-claude-v1', index: 0 }]) },
          { type: 'reasoning', summary: [], encrypted_content: sealDetails([{ type: 'reasoning.text', text: 'b', signature: 's2', format: 'anthropic-claude-v1', index: 0 }]) },
          { role: 'assistant', content: 'x' },
        ],
      },
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant', content: 'x',
          reasoning_details: [
            { type: 'reasoning.text', text: 'a', signature: 's1', format: 'anthropic-claude-v1', index: 0 },
            { type: 'reasoning.text', text: 'b', signature: 's2', format: 'anthropic-claude-v1', index: 1 },
          ],
        },
      ],
    },
    {
      name: 'a turn with only reasoning (interrupted) is left out',
      body: { input: [{ role: 'user', content: 'q' }, { type: 'reasoning', summary: [{ type: 'summary_text', text: 't' }] }, { role: 'user', content: 'again' }] },
      messages: [{ role: 'user', content: 'q' }, { role: 'user', content: 'again' }],
    },
    {
      name: 'custom tool calls carry their input as {input}',
      body: {
        input: [
          { type: 'custom_tool_call', call_id: 'c9', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' },
          { type: 'custom_tool_call_output', call_id: 'c9', output: 'Done' },
        ],
        tools: [{ type: 'custom', name: 'apply_patch', description: 'Patch files' }],
      },
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'c9', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch"}' } }] },
        { role: 'tool', tool_call_id: 'c9', content: 'Done' },
      ],
    },
  ]
  it.each(cases)('$name', ({ body, messages }) => {
    const req = canonical(body)
    expect(req.messages).toEqual(messages)
    // What goes on to the pipeline is a valid chat request.
    expect(ChatRequest.safeParse(req).success).toBe(true)
  })
})

describe('settings → canonical fields', () => {
  const cases: { name: string; body: Record<string, unknown>; expected: Record<string, unknown> }[] = [
    {
      name: 'sampling, output cap, user, stream and routing fields',
      body: {
        model: 'openai/gpt-4o-mini', models: ['a/b'], input: 'x', stream: true, temperature: 0.3, top_p: 0.9, max_output_tokens: 256, user: 'u1',
        provider: { order: ['openai'] }, route: 'fallback', max_cost: 0.5, store: true, metadata: { k: 'v' }, include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'pc', truncation: 'auto', service_tier: 'auto',
      },
      expected: {
        model: 'openai/gpt-4o-mini', models: ['a/b'], stream: true, temperature: 0.3, top_p: 0.9, max_tokens: 256, user: 'u1',
        provider: { order: ['openai'] }, route: 'fallback', max_cost: 0.5,
      },
    },
    {
      name: 'text.format json_schema → response_format json_schema; verbosity',
      body: { input: 'x', text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'd' }, verbosity: 'low' } },
      expected: { response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true, description: 'd' } }, verbosity: 'low' },
    },
    { name: 'text.format json_object', body: { input: 'x', text: { format: { type: 'json_object' } } }, expected: { response_format: { type: 'json_object' } } },
    { name: 'text.format text is the default: nothing', body: { input: 'x', text: { format: { type: 'text' } } }, expected: {} },
    { name: 'reasoning.effort', body: { input: 'x', reasoning: { effort: 'high', summary: 'auto' } }, expected: { reasoning: { effort: 'high' } } },
    { name: 'reasoning.summary alone asks for nothing', body: { input: 'x', reasoning: { summary: 'auto' } }, expected: {} },
    {
      name: 'function tools, tool_choice and parallel_tool_calls',
      body: { input: 'x', tools: [WEATHER], tool_choice: 'required', parallel_tool_calls: false },
      expected: {
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: WEATHER.parameters, strict: true } }],
        tool_choice: 'required', parallel_tool_calls: false,
      },
    },
    {
      name: 'a forced function',
      body: { input: 'x', tools: [WEATHER], tool_choice: { type: 'function', name: 'get_weather' } },
      expected: { tools: [expect.anything()], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
    },
    {
      name: 'allowed_tools narrows the tools',
      body: {
        input: 'x', tools: [WEATHER, { type: 'function', name: 'other' }],
        tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'other' }] },
      },
      expected: { tools: [{ type: 'function', function: { name: 'other' } }], tool_choice: 'required' },
    },
    {
      name: 'hosted tools are not offered; with no tool left, tool_choice and parallel_tool_calls go too',
      body: { input: 'x', tools: [{ type: 'web_search' }, { type: 'file_search', vector_store_ids: ['vs'] }], tool_choice: 'auto', parallel_tool_calls: true },
      expected: {},
    },
    {
      name: 'a custom tool is a function of one string, its grammar in the description',
      body: { input: 'x', tools: [{ type: 'custom', name: 'apply_patch', description: 'Patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } }] },
      expected: {
        tools: [{
          type: 'function',
          function: {
            name: 'apply_patch', description: 'Patch',
            parameters: {
              type: 'object', properties: { input: { type: 'string', description: 'Must match this lark grammar:\nstart: "x"' } }, required: ['input'], additionalProperties: false,
            },
          },
        }],
      },
    },
    {
      name: 'namespaced tools are flattened; a name two tools share is qualified by its namespace',
      body: {
        input: 'x',
        tools: [
          { type: 'function', name: 'close' },
          { type: 'namespace', name: 'agents', description: 'Agents', tools: [{ type: 'function', name: 'spawn' }, { type: 'function', name: 'close' }] },
        ],
        tool_choice: { type: 'function', name: 'close', namespace: 'agents' },
      },
      expected: {
        tools: [
          { type: 'function', function: { name: 'close' } },
          { type: 'function', function: { name: 'spawn' } },
          { type: 'function', function: { name: 'agents__close' } },
        ],
        tool_choice: { type: 'function', function: { name: 'agents__close' } },
      },
    },
  ]
  it.each(cases)('$name', ({ body, expected }) => {
    const { messages: _, ...rest } = canonical(body)
    expect(rest).toEqual(expected)
  })
})
