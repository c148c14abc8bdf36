// Runs a real coding-agent CLI (from node_modules/.bin) headless against the e2e gateway,
// through a loopback tap that forwards every request untouched and keeps its method, path,
// status and X-Generation-Id, so a test can look each generation up afterwards.
import { spawn } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { expect, inject } from 'vitest'
import { ROOT } from '../../../scripts/local-gateway.ts'

/** CLIs start slowly on a loaded two-core machine; one run gets this long before it is killed. */
export const AGENT_TIMEOUT_MS = 100_000
/** A test's own limit: the run, plus the generation look-ups after it. */
export const TEST_TIMEOUT_MS = 150_000

export interface Exchange {
  method: string
  path: string
  status: number
  generationId: string | null
  /** An error answer's body (the start of it), to show when a test fails. */
  errorBody?: string
}

/** Request headers the tap does not forward (the hop's own, and compression: it relays plain bytes). */
const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'accept-encoding', 'keep-alive'])
/** Response headers fetch has already acted on (it decompresses and de-chunks). */
const DECODED = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'])

/** Starts the tap in front of `target` (an origin); `origin` is where the CLI should point. */
export const startTap = async (target: string) => {
  const exchanges: Exchange[] = []
  const server = createServer(async (req, res) => {
    const exchange: Exchange = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, generationId: null }
    exchanges.push(exchange)
    try {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP.has(name)) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
      }
      const body = chunks.length && exchange.method !== 'GET' && exchange.method !== 'HEAD' ? Buffer.concat(chunks) : undefined
      const upstream = await fetch(target + exchange.path, { method: exchange.method, headers, body, redirect: 'manual' })
      exchange.status = upstream.status
      exchange.generationId = upstream.headers.get('x-generation-id')
      const out: Record<string, string> = {}
      upstream.headers.forEach((value, name) => {
        if (!DECODED.has(name)) out[name] = value
      })
      res.writeHead(upstream.status, out)
      if (upstream.status >= 400) {
        const text = await upstream.text()
        exchange.errorBody = text.slice(0, 2000)
        res.end(text)
        return
      }
      if (upstream.body) for await (const chunk of upstream.body) res.write(chunk)
      res.end()
    } catch (err) {
      exchange.errorBody = `tap: ${String(err)}`
      if (!res.headersSent) res.writeHead(502)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = () => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
  return { origin, exchanges, close }
}

export interface AgentRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs `node_modules/.bin/<bin> …args` in `cwd` with stdin closed and only `env` (plus a PATH
 * holding this Node, for CLIs that are Node scripts, and the system's tools the agent's shell needs).
 */
export const runAgent = (bin: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<AgentRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', bin), args, {
      cwd: options.cwd,
      env: { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, LANG: 'C.UTF-8', NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: AGENT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })

/** `runAgent` through a fresh tap in front of the e2e gateway; `env` gets the tap's origin. */
export const runThroughTap = async (bin: string, args: string[], options: { cwd: string; env: (origin: string) => Record<string, string> }) => {
  const tap = await startTap(new URL(inject('baseURL')).origin)
  try {
    const run = await runAgent(bin, args, { cwd: options.cwd, env: options.env(tap.origin) })
    return { run, exchanges: tap.exchanges, why: describeRun(run, tap.exchanges) }
  } finally {
    await tap.close()
  }
}

/**
 * The run's calls to `path` were `turns` POSTs answered 200, each recorded as a streamed
 * generation of `model` with this `api_type` that cost something.
 */
export const expectBilledTurns = async (exchanges: Exchange[], expected: { path: string; turns: number; apiType: string; model: string }, why: string) => {
  const calls = exchanges.filter((e) => e.path.split('?')[0] === expected.path)
  expect(calls.map((e) => `${e.method} ${e.status}`), why).toEqual(Array(expected.turns).fill('POST 200'))
  for (const call of calls) {
    expect(call.generationId, why).toMatch(/^gen-/)
    const record = await generation(inject('baseURL'), inject('apiKey'), call.generationId ?? '')
    expect(record, why).toMatchObject({ id: call.generationId, model: expected.model, api_type: expected.apiType, streamed: true })
    expect(record.total_cost, why).toBeGreaterThan(0)
    expect(record.tokens_completion, why).toBeGreaterThan(0)
  }
}

/** What a failed run and its exchanges looked like, for an assertion's message. */
export const describeRun = (run: AgentRun, exchanges: Exchange[]) => [
  `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}`,
  ...exchanges.map((e) => `${e.method} ${e.path} → ${e.status}${e.errorBody ? ` ${e.errorBody}` : ''}`),
  `stdout: ${run.stdout.slice(0, 2000)}`,
  `stderr: ${run.stderr.slice(0, 4000)}`,
].join('\n')

/** A temporary folder (symlinks resolved: the agents print real paths); `cleanup` removes them all. */
export const tempDirs = () => {
  const dirs: string[] = []
  return {
    make: (prefix: string) => {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
      dirs.push(dir)
      return dir
    },
    cleanup: () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A `[[fake call=… args=…]]` directive (docs/fake-provider.md): the fake model asks for `tool`
 * with these arguments. Spaces become JSON's `\u0020`, as a directive's value has none.
 */
export const fakeCall = (tool: string, args: Record<string, unknown>) =>
  `[[fake call=${tool} args=${JSON.stringify(args).replaceAll(' ', '\\u0020')}]]`

export interface Generation {
  id: string
  model: string
  api_type: string
  total_cost: number
  tokens_prompt: number
  tokens_completion: number
  streamed: boolean
  finish_reason: string | null
  provider_name: string
}

/** GET /generation?id=…, waiting for the record: the gateway writes generations in batches shortly after they end. */
export const generation = async (baseURL: string, apiKey: string, id: string, waitMs = 30_000): Promise<Generation> => {
  const deadline = Date.now() + waitMs
  for (;;) {
    const response = await fetch(`${baseURL}/generation?id=${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${apiKey}` } })
    if (response.ok) return ((await response.json()) as { data: Generation }).data
    if (response.status !== 404 || Date.now() > deadline) throw new Error(`GET /generation?id=${id}: ${response.status} ${await response.text()}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
