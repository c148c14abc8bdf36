// Starts the gateway exactly as `npm start` does (scripts/start.ts: migrations,
// seed, wrangler dev in workerd), on a free port with a throwaway state directory,
// and hands its base URL and dev key to the tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    apiKey: string
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

let child: ChildProcess | undefined
let state: string | undefined

export async function setup(project: TestProject) {
  const port = await freePort()
  state = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'))
  child = spawn(process.execPath, ['scripts/start.ts', '--port', String(port), '--persist-to', state], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let output = ''
  const started = new Promise<{ baseURL: string; apiKey: string }>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString()
      const base = output.match(/Switchboard is running at (\S+)/)?.[1]
      const key = output.match(/API key:\s+(sk-sb-v1-[0-9a-f]{64})/)?.[1]
      if (base && key) resolve({ baseURL: base, apiKey: key })
    }
    child?.stdout?.on('data', onData)
    child?.stderr?.on('data', onData)
    child?.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)))
  })
  const { baseURL, apiKey } = await started
  project.provide('baseURL', baseURL)
  project.provide('apiKey', apiKey)
}

export async function teardown() {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.on('exit', r))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  }
  if (state) rmSync(state, { recursive: true, force: true })
}
