// Compare's pure parts (src/dashboard/client/compare-data.ts): the figures of a reply, the
// totals, which model lists may run, and the CSV export, which a CSV reader reads back as written.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tokensPerSecond } from '../../../src/dashboard/client/chat-stats.ts'
import { checkModels, CSV_COLUMNS, resultOf, toCsv, toJson, totalsOf, type CompareRun } from '../../../src/dashboard/client/compare-data.ts'

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, quotes (doubled) and line breaks. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') row.push(field), (field = '')
    else if (ch === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++
    else field += ch
  }
  return rows
}

const result = (model: string, text: string, cost: number | null) => ({
  model, provider: 'P', text, ttft_ms: 12.5, tokens_per_second: 40, prompt_tokens: 9, completion_tokens: 4, cost, total_ms: 100, error: null,
})

describe('compare data', () => {
  it('measures tokens per second after the first token', () => {
    expect(tokensPerSecond({ completionTokens: 30, ttftMs: 100, totalMs: 1100 })).toBe(30)
    expect(tokensPerSecond({ completionTokens: 30, ttftMs: null, totalMs: 1100 })).toBeNull()
    expect(tokensPerSecond({ completionTokens: 0, ttftMs: 10, totalMs: 20 })).toBeNull()
    expect(tokensPerSecond({ completionTokens: 5, ttftMs: 20, totalMs: 20 })).toBeNull()
  })

  it('keeps a reply\'s figures, rounded for display', () => {
    const r = resultOf({ id: 'gen-1', model: 'm', provider: 'P', text: 'hi', reasoning: '', finishReason: 'stop', promptTokens: 3, completionTokens: 10, cost: 0.000021, ttftMs: 10.04, totalMs: 510.06, error: null })
    expect(r).toEqual({ model: 'm', provider: 'P', text: 'hi', ttft_ms: 10, tokens_per_second: 20, prompt_tokens: 3, completion_tokens: 10, cost: 0.000021, total_ms: 510.1, error: null })
  })

  it('totals cost exactly, summed in microdollars', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { maxLength: 6 }), (micros) => {
      const t = totalsOf(micros.map((m, i) => result(`m${i}`, '', m / 1e6)))
      expect(Math.round(t.cost * 1e6)).toBe(micros.reduce((a, b) => a + b, 0))
    }))
    expect(totalsOf([result('a', '', 0.1), result('b', '', 0.2), result('c', '', null)]).cost).toBe(0.3)
  })

  it('runs 2 to 6 distinct, filled-in models', () => {
    expect(checkModels(['a/b', 'c/d'])).toBeNull()
    expect(checkModels(['a/b'])).toMatch(/2 to 6/)
    expect(checkModels(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toMatch(/2 to 6/)
    expect(checkModels(['a/b', ''])).toMatch(/Fill in/)
    expect(checkModels(['a/b', 'a/b'])).toMatch(/once/)
  })

  it('exports CSV that reads back as written, whatever the text', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.string(), fc.string(), fc.option(fc.integer({ min: 0, max: 1e6 }))), { minLength: 1, maxLength: 4 }), fc.string(), (answers, prompt) => {
      const run: CompareRun = { at: '2031-01-01T00:00:00.000Z', prompt, system: '', params: {}, results: answers.map(([model, text, micro]) => result(model, text, micro === null ? null : micro / 1e6)) }
      const rows = parseCsv(toCsv([run]))
      expect(rows[0]).toEqual([...CSV_COLUMNS])
      expect(rows).toHaveLength(answers.length + 1)
      rows.slice(1).forEach((cells, i) => {
        const r = run.results[i]
        expect(cells).toHaveLength(CSV_COLUMNS.length)
        expect(cells[CSV_COLUMNS.indexOf('prompt')]).toBe(prompt)
        expect(cells[CSV_COLUMNS.indexOf('model')]).toBe(r?.model)
        expect(cells[CSV_COLUMNS.indexOf('text')]).toBe(r?.text)
        expect(cells[CSV_COLUMNS.indexOf('cost')]).toBe(r?.cost === null ? '' : String(r?.cost))
      })
    }))
  })

  it('exports JSON with every run', () => {
    const run: CompareRun = { at: 'x', prompt: 'p', system: 's', params: { temperature: 0.5 }, results: [result('a', 't', 0.1)] }
    expect(JSON.parse(toJson([run, run]))).toEqual({ runs: [run, run] })
  })
})
