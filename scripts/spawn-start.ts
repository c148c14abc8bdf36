// Starts `npm start` (node scripts/start.ts) as a child process and waits for its banner:
// shared by the e2e setup, the e2e tests of npm start itself, and the bench's npm start arm.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { parseBanner, type Banner } from './banner.ts'
import { ROOT } from './local-gateway.ts'

/** A port nothing listens on right now (127.0.0.1). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

export interface StartedProcess {
  child: ChildProcess
  /** stdout and stderr so far, interleaved. */
  output: () => string
  /** Resolves with the banner; rejects if npm start exits first or takes longer than `timeoutMs`. */
  ready: Promise<Banner>
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>
}

/** `env` is npm start's whole environment (default: this process's). */
export const spawnStart = (args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): StartedProcess => {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { NO_COLOR: '1', ...(options.env ?? process.env) },
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const ready = new Promise<Banner>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 180_000
    const timer = setTimeout(() => reject(new Error(`npm start printed no banner within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs)
    const onData = (data: Buffer) => {
      output += data.toString()
      const banner = parseBanner(output)
      if (banner) {
        clearTimeout(timer)
        resolve(banner)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`))
    })
  })
  ready.catch(() => {}) // a caller that only awaits `exited` must not see an unhandled rejection
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    return exited
  }
  return { child, output: () => output, ready, exited, stop }
}
