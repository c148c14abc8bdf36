// Process CPU time from /proc, for "CPU per request" on the pinned core: on a
// 2-core box the closed-loop req/s of a fast target is often capped by the load
// client and upstream on the other core, while CPU ms per request is not.
import { readFileSync } from 'node:fs'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** utime + stime of a process and its threads, in ms; 0 when it is gone. */
export const cpuMs = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return 0
  }
}

export const totalCpuMs = (pids: number[]): number => pids.reduce((sum, pid) => sum + cpuMs(pid), 0)

const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** Every process under `root`. */
export const descendantPids = (root: number): number[] => children(root).flatMap((child) => [child, ...descendantPids(child)])

/** Every workerd process under this one, or under `root` (Miniflare spawns one per instance). */
export const workerdPids = (root = process.pid): number[] =>
  descendantPids(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('workerd')
    } catch {
      return false // exited
    }
  })

/** Busy CPU time of the whole machine (all cores), in ms, from /proc/stat. */
export const machineBusyMs = (): number => {
  // user, nice, system and steal (the hypervisor's); not irq/softirq, which is
  // mostly our own loopback traffic and is not charged to any process.
  const [, user, nice, system, , , , , steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number)
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (steal ?? 0)) * TICK_MS
}

/**
 * CPU that processes other than ours used over a span, in cores (0.5 = half a
 * core): the shared machine's noise, recorded with every measurement.
 */
export const noiseMeter = (ours: number[]) => {
  const startAll = machineBusyMs()
  const startOurs = totalCpuMs(ours)
  const startWall = performance.now()
  return () => Math.max(0, (machineBusyMs() - startAll - (totalCpuMs(ours) - startOurs)) / (performance.now() - startWall))
}

/** Measures CPU of some processes over a span of wall time. */
export const cpuMeter = (pids: number[]) => {
  const startCpu = totalCpuMs(pids)
  const startWall = performance.now()
  return () => {
    const cpu = totalCpuMs(pids) - startCpu
    return { cpuMs: cpu, utilization: cpu / (performance.now() - startWall) }
  }
}

/**
 * Waits until the processes are (nearly) idle, so deferred work of one target
 * (the gateway's waitUntil settlements and batched D1 flushes) does not run while
 * the next target is measured on the same core. Returns the ms waited.
 */
export const waitIdle = async (pids: number[], maxMs = 5_000): Promise<number> => {
  const start = performance.now()
  while (performance.now() - start < maxMs) {
    const before = totalCpuMs(pids)
    await new Promise((resolve) => setTimeout(resolve, 300))
    if (totalCpuMs(pids) - before <= TICK_MS) break
  }
  return performance.now() - start
}
