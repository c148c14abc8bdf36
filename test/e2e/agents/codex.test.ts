// Codex CLI (@openai/codex, pinned in package.json) headless against npm start, configured as a
// user would: a provider block in $CODEX_HOME/config.toml with base_url = "<gateway>/api/v1" and
// wire_api = "responses". It speaks only OpenAI Responses (POST /api/v1/responses); a fake model
// answers, so no provider key is needed, and each turn must be billed as a `responses` generation.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { expectBilledTurns, fakeCall, generation, runThroughTap, tempDirs, TEST_TIMEOUT_MS } from './harness.ts'

const MODEL = 'fake/echo'
const dirs = tempDirs()
afterAll(() => dirs.cleanup())

/** `codex exec --skip-git-repo-check <prompt>` in a fresh working folder (holding `files`), HOME and CODEX_HOME. */
const codex = (prompt: string, files: Record<string, string> = {}) => {
  const cwd = dirs.make('switchboard-codex-work-')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text)
  const home = dirs.make('switchboard-codex-home-')
  const codexHome = join(home, '.codex')
  mkdirSync(codexHome)
  return runThroughTap('codex', ['exec', '--skip-git-repo-check', prompt], {
    cwd,
    env: (origin) => {
      writeFileSync(join(codexHome, 'config.toml'), [
        `model = "${MODEL}"`,
        'model_provider = "switchboard"',
        '',
        '[model_providers.switchboard]',
        'name = "Switchboard"',
        `base_url = "${origin}/api/v1"`,
        'env_key = "SWITCHBOARD_API_KEY"',
        'wire_api = "responses"',
        // A failure shows at once, and every request the test sees is one Codex meant.
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
      ].join('\n'))
      return { HOME: home, CODEX_HOME: codexHome, SWITCHBOARD_API_KEY: inject('apiKey') }
    },
  })
}

const RESPONSES = { path: '/api/v1/responses', apiType: 'responses', model: MODEL }

describe('Codex CLI against npm start', () => {
  it('prints the fake model\'s reply and is billed as responses', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { run, exchanges, why } = await codex('Say hi to switchboard')
    expect(run.code, why).toBe(0)
    // fake/echo echoes the last user message, which is the prompt (Codex's context comes before it).
    expect(run.stdout, why).toContain('You said: Say hi to switchboard')
    // It asked nothing else of the gateway (no /models).
    expect(exchanges.map((e) => e.path), why).toEqual(['/api/v1/responses'])
    await expectBilledTurns(exchanges, { ...RESPONSES, turns: 1 }, why)
  })

  it('runs a function-call round trip: the model asks for exec_command, Codex runs it and sends its output', { timeout: TEST_TIMEOUT_MS }, async () => {
    const contents = 'the e2e file holds seven purple lanterns'
    const { run, exchanges, why } = await codex(`Show me hello.txt ${fakeCall('exec_command', { cmd: 'cat hello.txt' })}`, { 'hello.txt': `${contents}\n` })
    expect(run.code, why).toBe(0)
    // The second turn answered the function_call_output: the command's output as Codex reported it.
    expect(run.stdout, why).toContain('The tool returned:')
    expect(run.stdout, why).toContain(contents)
    await expectBilledTurns(exchanges, { ...RESPONSES, turns: 2 }, why)
  })

  it('a stream that fails mid-way: Codex reports the failure and exits 1; the generation is recorded as an error, free', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { run, exchanges, why } = await codex('one two three four five six [[fake error_after=2]]')
    expect(run.code, why).toBe(1)
    expect(run.stderr, why).toContain('stream disconnected before completion')
    expect(exchanges.map((e) => `${e.method} ${e.path} ${e.status}`), why).toEqual(['POST /api/v1/responses 200'])
    const record = await generation(inject('baseURL'), inject('apiKey'), exchanges[0]?.generationId ?? '')
    expect(record, why).toMatchObject({ api_type: 'responses', streamed: true, finish_reason: 'error', total_cost: 0 })
  })
})
