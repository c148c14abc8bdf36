// Which `npm start` gateways are running from this checkout, and on which state
// directory: `npm run admin` reads this to find the admin token of a gateway that was
// started with --port or --persist-to. One small file per port under .wrangler/
// (next to the default state), removed when the gateway stops.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export interface RunningGateway {
  /** e.g. http://localhost:9000 */
  origin: string
  port: number
  /** The absolute state directory (npm start's --persist-to). */
  persistTo: string
  /** npm start's process, to tell a live entry from one left by a killed process. */
  pid: number
}

const dir = () => resolve('.wrangler', 'switchboard-running')

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Records a gateway; returns what removes the record again (idempotent). */
export const recordRunning = (gateway: RunningGateway): (() => void) => {
  mkdirSync(dir(), { recursive: true })
  // Records left by a killed npm start (SIGKILL runs no handler) go now.
  for (const name of readdirSync(dir())) {
    try {
      if (!alive((JSON.parse(readFileSync(join(dir(), name), 'utf8')) as RunningGateway).pid)) rmSync(join(dir(), name), { force: true })
    } catch {
      // another start is writing it
    }
  }
  const file = join(dir(), `${gateway.port}.json`)
  writeFileSync(file, JSON.stringify(gateway, null, 2))
  return () => {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as RunningGateway
      if (saved.pid === gateway.pid) rmSync(file, { force: true })
    } catch {
      // already gone
    }
  }
}

/** The gateways whose npm start is still alive. */
export const runningGateways = (): RunningGateway[] => {
  let names: string[]
  try {
    names = readdirSync(dir()).filter((n) => /^\d+\.json$/.test(n))
  } catch {
    return []
  }
  const found: RunningGateway[] = []
  for (const name of names) {
    try {
      const g = JSON.parse(readFileSync(join(dir(), name), 'utf8')) as RunningGateway
      if (alive(g.pid)) found.push(g)
    } catch {
      // being written or removed right now
    }
  }
  return found.sort((a, b) => a.port - b.port)
}
