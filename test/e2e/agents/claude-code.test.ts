// Claude Code (@anthropic-ai/claude-code, pinned in package.json) headless against npm start,
// configured as a user would: ANTHROPIC_BASE_URL=<gateway>/api, ANTHROPIC_AUTH_TOKEN=<key>.
// It speaks only Anthropic Messages (POST /api/v1/messages?beta=true); a fake model answers,
// so no provider key is needed, and each turn must be billed as a `messages` generation.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { expectBilledTurns, fakeCall, generation, runThroughTap, tempDirs, TEST_TIMEOUT_MS } from './harness.ts'

const MODEL = 'fake/echo'
const dirs = tempDirs()
afterAll(() => dirs.cleanup())

/** `claude -p <prompt> --model fake/echo …args` in a fresh working folder (holding `files`) and HOME. */
const claude = (prompt: (cwd: string) => string, options: { files?: Record<string, string>; args?: string[]; env?: Record<string, string> } = {}) => {
  const cwd = dirs.make('switchboard-claude-work-')
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(cwd, name), text)
  return runThroughTap('claude', ['-p', prompt(cwd), '--model', MODEL, ...(options.args ?? [])], {
    cwd,
    env: (origin) => ({
      HOME: dirs.make('switchboard-claude-home-'),
      ANTHROPIC_BASE_URL: `${origin}/api`,
      ANTHROPIC_AUTH_TOKEN: inject('apiKey'),
      ANTHROPIC_API_KEY: '',
      // Background calls, if any, go to a catalog model too.
      ANTHROPIC_SMALL_FAST_MODEL: MODEL,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: MODEL,
      DISABLE_TELEMETRY: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      // A failure shows at once instead of after minutes of backoff.
      CLAUDE_CODE_MAX_RETRIES: '0',
      ...options.env,
    }),
  })
}

const MESSAGES = { path: '/api/v1/messages', apiType: 'messages', model: MODEL }

describe('Claude Code against npm start', () => {
  it('prints the fake model\'s reply and is billed as messages', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { run, exchanges, why } = await claude(() => 'Say hi to switchboard')
    expect(run.code, why).toBe(0)
    // fake/echo echoes the last user message: Claude Code's context blocks, then the prompt.
    expect(run.stdout, why).toContain('You said:')
    expect(run.stdout, why).toContain('Say hi to switchboard')
    // It asked nothing else of the gateway: no probe, no model list, no count_tokens.
    expect(exchanges.map((e) => e.path), why).toEqual(['/api/v1/messages?beta=true'])
    await expectBilledTurns(exchanges, { ...MESSAGES, turns: 1 }, why)
  })

  it('runs a tool round trip: the model asks for Read, Claude Code reads the file and sends its tool_result', { timeout: TEST_TIMEOUT_MS }, async () => {
    const contents = 'the e2e file holds seven purple lanterns'
    const { run, exchanges, why } = await claude(
      (cwd) => `Read hello.txt ${fakeCall('Read', { file_path: join(cwd, 'hello.txt') })}`,
      { files: { 'hello.txt': `${contents}\n` }, args: ['--allowedTools', 'Read'] },
    )
    expect(run.code, why).toBe(0)
    // The second turn answered the tool's result: the file's text as Read returned it.
    expect(run.stdout, why).toContain('The tool returned:')
    expect(run.stdout, why).toContain(contents)
    await expectBilledTurns(exchanges, { ...MESSAGES, turns: 2 }, why)
  })

  it('a stream that fails mid-way: Claude Code asks again without streaming, the gateway falls back, the answer is printed', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The fake provider fails every stream mid-way; fake-eu, the fallback, does not. Preferring
    // fake's region (a header a user sets through ANTHROPIC_CUSTOM_HEADERS) makes it the first try.
    const { run, exchanges, why } = await claude(() => 'one two three four five six [[fake error_after=2 on=fake]]', {
      env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Provider-Region: us' },
    })
    expect(run.code, why).toBe(0)
    expect(run.stdout, why).toContain('one two three four five six')
    expect(exchanges.map((e) => `${e.method} ${e.path} ${e.status}`), why).toEqual(Array(2).fill('POST /api/v1/messages?beta=true 200'))
    const [broken, retried] = await Promise.all(exchanges.map((e) => generation(inject('baseURL'), inject('apiKey'), e.generationId ?? '')))
    // The broken stream is recorded as an error at no charge; the JSON retry served by the fallback is billed.
    expect(broken, why).toMatchObject({ api_type: 'messages', streamed: true, finish_reason: 'error', total_cost: 0 })
    expect(retried, why).toMatchObject({ api_type: 'messages', streamed: false, finish_reason: 'stop', provider_name: 'Switchboard Fake EU' })
    expect(retried?.total_cost, why).toBeGreaterThan(0)
  })
})
