// Ablations of a built bundle, for the question "what does the Worker cost without its
// storage?": copies of index.js with Durable Object calls cut out, measured beside the
// real bundle by the CPU arm. Not a gateway anyone should run: admission always says yes.
//   node bench/ablate.ts <index.js> <out dir>
// writes <out dir>/noadmit/index.js (no admission call: an immediate "ok") and
// <out dir>/nostore/index.js (no admission, no settlement, no health reports), then:
//   BENCH_BUNDLES=gw:<index.js>,noadmit:<out>/noadmit/index.js,nostore:<out>/nostore/index.js SPREAD_ACCOUNTS=0 LARGE_SIZES_MB=0 node bench/cpu-arm.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Each cut: the call in the bundle (esbuild renames locals, hence the patterns) and what replaces it. */
const CUTS = {
  admit: [/return gateFor\(\w+, \w+\.accountId\)\.admit\(\w+\);/, 'return Promise.resolve({ ok: true, balanceMicro: 1e12, availableMicro: 1e12 });'],
  settle: [/await gateFor\(\w+, \w+\.accountId\)\.settleMany\(\w+\);/, ';'],
  health: [/if \(reports\?\.length\) remember\(.*\.reportMany\(reports\).*;/, ';'],
} as const

const VARIANTS: Record<string, (keyof typeof CUTS)[]> = {
  noadmit: ['admit'],
  nostore: ['admit', 'settle', 'health'],
}

export const ablate = (source: string, cuts: (keyof typeof CUTS)[]): string =>
  cuts.reduce((text, cut) => {
    const [pattern, replacement] = CUTS[cut]
    if (!pattern.test(text)) throw new Error(`ablate: the ${cut} call is not in the bundle (${pattern}); update bench/ablate.ts`)
    return text.replace(pattern, replacement)
  }, source)

if (import.meta.url === `file://${process.argv[1]}`) {
  const [script, out] = process.argv.slice(2)
  if (!script || !out) throw new Error('usage: node bench/ablate.ts <index.js> <out dir>')
  const source = readFileSync(script, 'utf8')
  for (const [name, cuts] of Object.entries(VARIANTS)) {
    mkdirSync(join(out, name), { recursive: true })
    writeFileSync(join(out, name, 'index.js'), ablate(source, cuts))
    console.log(join(out, name, 'index.js'))
  }
}
