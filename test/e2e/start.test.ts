// `npm start` and `npm run admin` as a user meets them: a busy port fails before any key
// is printed, SIGTERM and SIGINT stop the gateway with no workerd left behind, and the
// operator CLI finds the admin token of a gateway started with --port and --persist-to,
// or names the option to pass.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { workerdPids } from '../../bench/cpu.ts'
import { ROOT } from '../../scripts/local-gateway.ts'
import { freePort, spawnStart } from '../../scripts/spawn-start.ts'

const dirs: string[] = []
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const origin = () => new URL(inject('baseURL')).origin

/** `npm run admin -- …` from `cwd`; never throws: the exit code and both streams. */
const admin = (args: string[], cwd = ROOT) =>
  promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'admin.ts'), ...args], { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  )

/** Alive and not a zombie. */
const running = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

const KEY = /sk-sb-v1-|API key:|Switchboard is running/

describe('npm start on a busy port', () => {
  it('fails before printing any key, naming the port and --port, when another npm start holds it', async () => {
    const port = new URL(inject('baseURL')).port
    const start = spawnStart(['--port', port, '--persist-to', tempDir('switchboard-busy-')])
    expect(await start.exited).not.toBe(0)
    expect(start.output()).toContain(`Port ${port} is already in use`)
    expect(start.output()).toContain(`npm start -- --port `)
    expect(start.output()).not.toMatch(KEY)
  })

  it('does not take an HTTP server that answers /healthz on that port for the gateway', async () => {
    const squatter: Server = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'))
    const port = await freePort()
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
    try {
      const start = spawnStart(['--port', String(port), '--persist-to', tempDir('switchboard-busy-')])
      expect(await start.exited).not.toBe(0)
      expect(start.output()).toContain(`Port ${port} is already in use`)
      expect(start.output()).not.toMatch(KEY)
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })
})

describe('stopping npm start', () => {
  it('SIGTERM and then SIGINT stop it with no workerd left; a restart on the same state prints the same keys', { timeout: 240_000 }, async () => {
    const state = tempDir('switchboard-stop-')
    const keys: string[] = []
    for (const [signal, number] of [['SIGTERM', 15], ['SIGINT', 2]] as const) {
      const start = spawnStart(['--port', String(await freePort()), '--persist-to', state])
      keys.push((await start.ready).apiKey)
      const workerd = workerdPids(start.child.pid)
      expect(workerd.length).toBeGreaterThan(0)
      start.child.kill(signal)
      expect(await start.exited).toBe(128 + number) // the shell's status for a stop by that signal
      await expect.poll(() => workerd.filter(running), { timeout: 10_000 }).toEqual([])
    }
    expect(keys[1]).toBe(keys[0])
  })
})

describe('npm run admin against a gateway started with --port and --persist-to', () => {
  const show = ['accounts', 'show', '--account', inject('accountId'), '--json']

  it('finds the admin token by itself from the URL', async () => {
    const { code, stdout, stderr } = await admin([...show, '--url', origin()])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ data: { id: inject('accountId') } })
  })

  it('takes --persist-to, as npm start was given it', async () => {
    const { code, stdout } = await admin([...show, '--url', origin(), '--persist-to', inject('stateDir')])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ data: { id: inject('accountId') } })
  })

  it('names --persist-to when there is no token to find', async () => {
    const { code, stderr } = await admin([...show, '--url', origin()], tempDir('switchboard-elsewhere-'))
    expect(code).not.toBe(0)
    expect(stderr).toContain('no admin token')
    expect(stderr).toContain('--persist-to <dir>')
  })

  it('names --persist-to when the gateway refuses the token of another state (401)', async () => {
    const cwd = tempDir('switchboard-elsewhere-')
    mkdirSync(join(cwd, '.wrangler', 'state'), { recursive: true })
    writeFileSync(join(cwd, '.wrangler', 'state', 'switchboard-dev.json'), JSON.stringify({ adminToken: 'sb_admin_not_this_gateways_token' }))
    const { code, stderr } = await admin([...show, '--url', origin()], cwd)
    expect(code).not.toBe(0)
    expect(stderr).toContain('401')
    expect(stderr).toContain('pass the same --persist-to <dir>')
  })

  it('names the exact --persist-to when it is running from this directory and given the wrong one', async () => {
    const wrong = tempDir('switchboard-wrong-')
    writeFileSync(join(wrong, 'switchboard-dev.json'), JSON.stringify({ adminToken: 'sb_admin_not_this_gateways_token' }))
    const { code, stderr } = await admin([...show, '--url', origin(), '--persist-to', wrong])
    expect(code).not.toBe(0)
    expect(stderr).toContain(`It runs on --persist-to ${inject('stateDir')}`)
  })
})
