// `npm run admin -- export` against the gateway `npm start` runs: real requests, handed by the
// account gate to a recorder, which writes them to D1 (charges) and Miniflare's local R2
// (details), exported as JSONL to stdout and as CSV to a file, and read back; then
// `npm run admin -- recorders`, the recorders' backlog.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { ROOT } from '../../scripts/local-gateway.ts'

const dir = mkdtempSync(join(tmpdir(), 'switchboard-export-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const admin = async (args: string[]) => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [
    join(ROOT, 'scripts', 'admin.ts'), ...args, '--url', inject('baseURL'), '--persist-to', inject('stateDir'),
  ], { cwd: ROOT })
  return { stdout, stderr }
}

/** The generation once the gate has flushed it (404 until then). */
const flushed = async (id: string) => {
  const deadline = Date.now() + 20_000
  for (;;) {
    const res = await fetch(`${inject('baseURL')}/generation?id=${id}`, { headers: { authorization: `Bearer ${inject('apiKey')}` } })
    if (res.status === 200) return
    if (Date.now() > deadline) throw new Error(`generation ${id} never written: ${res.status}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('npm run admin -- export', () => {
  it('streams an account\'s generations, charge and details, as JSONL and CSV', async () => {
    const ids: string[] = []
    for (const content of ['first', 'second, with a comma']) {
      const res = await fetch(`${inject('baseURL')}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${inject('apiKey')}`, 'content-type': 'application/json', 'user-agent': 'export-e2e/1.0', 'x-title': 'Export, "E2E"' },
        // Pinned: fake/echo is also served by fake-eu, and the rows' provider is asserted.
        body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content }], provider: { only: ['fake'] } }),
      })
      expect(res.status).toBe(200)
      ids.push(((await res.json()) as { id: string }).id)
    }
    await Promise.all(ids.map(flushed))
    const day = 86_400_000
    const range = ['--from', new Date(Date.now() - day).toISOString().slice(0, 10), '--to', new Date(Date.now() + day).toISOString().slice(0, 10)]

    const jsonl = await admin(['export', '--account', inject('accountId'), ...range])
    const rows = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    const ours = rows.filter((r) => ids.includes(r.id as string))
    expect(ours.map((r) => r.id)).toEqual(ids)
    for (const r of ours) {
      expect(r).toMatchObject({ account_id: inject('accountId'), model: 'fake/echo', provider_id: 'fake', user_agent: 'export-e2e/1.0', app_title: 'Export, "E2E"', status: 200 })
      expect(r.attempts).toEqual([expect.objectContaining({ provider: 'fake', status: 200 })])
    }
    expect(jsonl.stderr).toContain(`Exported ${rows.length} generation`)

    const file = join(dir, 'out.csv')
    await admin(['export', '--account', inject('accountId'), ...range, '--format', 'csv', '--out', file])
    const csv = readFileSync(file, 'utf8')
    expect(csv.split('\n')[0]).toMatch(/^id,created_at,account_id,key_hash,model,/)
    for (const id of ids) expect(csv).toContain(`${id},`)
    expect(csv).toContain('"Export, ""E2E"""')

    // What was written went through a recorder, which shows its last write.
    const recorders = JSON.parse((await admin(['recorders', '--json'])).stdout) as { data: { name: string; unflushed: number; last_flush: { rows: number } | null }[] }
    expect(recorders.data.map((r) => r.name)).toContain('recorders/0')
    expect(recorders.data.some((r) => (r.last_flush?.rows ?? 0) > 0)).toBe(true)
    expect((await admin(['recorders'])).stdout).toMatch(/^recorders\/0: \d+ waiting; /m)
  })
})
