// Every example in README.md, run as written against the gateway that global-setup
// starts the way `npm start` does. A reader pastes these into one terminal, in order,
// so they run in order with one shell environment: `export SWITCHBOARD_KEY=sk-sb-v1-…`
// in one block is what the next blocks see. Only three things are substituted: the
// placeholder a reader fills in from output (the key npm start printed, the account id
// the CLI printed), the gateway's address (a free port, not 8787), and npm start's
// state directory for `npm run admin` (a throwaway one, not .wrangler/state).
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, inject, it } from 'vitest'

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '..', '..')
/** Inside the repository, so `import 'openai'` resolves as it does for a reader's hello.mjs. */
const SCRATCH = join(ROOT, 'node_modules', '.cache', 'switchboard-readme-test')

interface Block {
  lang: string
  code: string
  /** The heading the block sits under, to name the test. */
  section: string
}

const readmeBlocks = (markdown: string): Block[] => {
  const blocks: Block[] = []
  let section = ''
  let open: { lang: string; lines: string[] } | undefined
  for (const line of markdown.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        blocks.push({ lang: open.lang, code: open.lines.join('\n'), section })
        open = undefined
      } else open.lines.push(line)
    } else if (line.startsWith('```')) open = { lang: line.slice(3).trim(), lines: [] }
    else if (line.startsWith('#')) section = line.replace(/^#+\s*/, '')
  }
  return blocks
}

/**
 * Shell blocks that are not run, each with the reason. A new shell block must either
 * run against the gateway or be listed here, so no example goes untested by accident.
 */
const NOT_RUN: { marker: string; why: string }[] = [
  { marker: 'npm install && npm start', why: 'global-setup starts the gateway exactly this way' },
  { marker: 'OPENAI_API_KEY=sk-… GROQ_API_KEY=gsk_… npm start', why: 'needs real provider keys' },
  { marker: 'npx wrangler login', why: 'needs a Cloudflare account' },
]

/** What a reader types in place of `…`: the values npm start and the CLI printed. */
const fillIn = (value: string, seen: string): string => {
  if (value.startsWith('sk-sb-v1-…')) return inject('apiKey')
  if (value.startsWith('acct_…')) {
    const printed = [...seen.matchAll(/\bacct_[A-Za-z0-9]+/g)].at(-1)?.[0]
    if (!printed) throw new Error(`no account id printed before "export …=${value}"`)
    return printed
  }
  throw new Error(`the README asks the reader to fill in "${value}"; teach readme.test.ts where that value comes from`)
}

/** One command per line, with `\` continuations joined (as the shell reads them). */
const commandsOf = (code: string): string[] =>
  code
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))

/** A gateway answer must not be an error: JSON without `error`, or a stream without an error chunk that ends with [DONE]. */
const expectNoErrorBody = (stdout: string, command: string) => {
  const out = stdout.trim()
  if (out.startsWith('{')) {
    const body = JSON.parse(out) as Record<string, unknown>
    expect(body.error, `${command}\n→ ${out}`).toBeUndefined()
    return
  }
  const events = out.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6))
  expect(events.length, `${command}\n→ ${out}`).toBeGreaterThan(0)
  expect(events.at(-1)).toBe('[DONE]')
  for (const data of events.slice(0, -1)) expect((JSON.parse(data) as { error?: unknown }).error, data).toBeUndefined()
  expect(events.slice(0, -1).some((data) => (JSON.parse(data) as { usage?: { cost?: number } }).usage?.cost !== undefined)).toBe(true)
}

const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'))
/** The reader's terminal: exported variables and everything printed so far. */
const session = { env: {} as Record<string, string>, printed: '' }
let origin: string

beforeAll(() => {
  origin = new URL(inject('baseURL')).origin
  mkdirSync(SCRATCH, { recursive: true })
})

const atGateway = (text: string) => text.replaceAll('http://localhost:8787', origin)

const runShell = async (command: string) => {
  const exported = command.match(/^export\s+([A-Z_][A-Z0-9_]*)=(\S+)/)
  if (exported) {
    const [, name, value] = exported as unknown as [string, string, string]
    session.env[name] = value.includes('…') ? fillIn(value, session.printed) : value
    return
  }
  let line = atGateway(command)
  // The CLI finds npm start's admin token in its state directory; this gateway's is a temporary one.
  if (/^npm run admin\b/.test(line)) line = line.replace(/\s+#.*$/, '') + ` --url ${origin} --persist-to ${inject('stateDir')}`
  const { stdout } = await run('bash', ['-o', 'pipefail', '-c', line], {
    cwd: ROOT, env: { ...process.env, ...session.env }, timeout: 60_000, maxBuffer: 10 * 1024 * 1024,
  })
  session.printed += stdout
  return stdout
}

describe('README examples against npm start', () => {
  it('has examples to run, and every shell block is either run or listed with a reason', () => {
    const shell = blocks.filter((b) => b.lang === 'sh')
    const unclassified = shell.filter((b) => !runsAgainstGateway(b) && !NOT_RUN.some((n) => b.code.includes(n.marker)))
    expect(unclassified.map((b) => b.code)).toEqual([])
    expect(shell.filter(runsAgainstGateway).length).toBeGreaterThanOrEqual(4)
    expect(blocks.filter((b) => b.lang === 'js').length).toBeGreaterThanOrEqual(2)
    for (const b of blocks) expect(['', 'sh', 'js', 'json'], `a \`\`\`${b.lang} block: teach readme.test.ts to run it`).toContain(b.lang)
  })

  // In README order: later blocks use what earlier ones exported.
  for (const [i, block] of blocks.entries()) {
    if (block.lang === 'sh' && runsAgainstGateway(block)) {
      it(`runs shell example ${i} (${block.section})`, { timeout: 120_000 }, async () => {
        for (const command of commandsOf(block.code)) {
          const stdout = await runShell(command)
          if (stdout === undefined) continue
          if (/^curl\b/.test(command)) expectNoErrorBody(stdout, command)
          else expect(stdout.trim(), command).not.toBe('')
        }
      })
    }
    if (block.lang === 'js') {
      it(`runs JavaScript example ${i} (${block.section})`, { timeout: 120_000 }, async () => {
        expect(session.env.SWITCHBOARD_KEY, 'an earlier block exports SWITCHBOARD_KEY').toBeDefined()
        const file = join(SCRATCH, `example-${i}.mjs`)
        writeFileSync(file, atGateway(block.code))
        const { stdout, stderr } = await run(process.execPath, [file], {
          cwd: ROOT, env: { ...process.env, ...session.env }, timeout: 60_000,
        })
        expect(stderr).toBe('')
        expect(stdout).toMatch(/\w/)
        // Every JavaScript example talks to a fake model, whose answers are known.
        expect(stdout).toMatch(/You said: Hello!|the quick brown fox/)
      })
    }
  }
})

/** A shell block that talks to the running gateway: curl to it, the operator CLI, or an export the next ones use. */
function runsAgainstGateway(b: Block): boolean {
  return !NOT_RUN.some((n) => b.code.includes(n.marker)) && /localhost:8787|npm run admin|^export /m.test(b.code)
}
