// The leaderboard's pure part: order, limits, and what an app may be named by.
import { describe, expect, it } from 'vitest'
import { originOf, rankApps, rankModels } from '../../../src/storage/rankings.ts'

const app = (referer: string | null, title: string | null) => JSON.stringify([referer, title])
const c = (requests: number, tokens: number) => ({ requests, promptTokens: tokens, completionTokens: 0 })

describe('rankings', () => {
  it('orders models by tokens or by requests, ties by the other figure then name, and numbers them', () => {
    const rows = [{ model: 'b', ...c(10, 100) }, { model: 'a', ...c(1, 1_000) }, { model: 'c', ...c(10, 100) }, { model: 'd', ...c(10, 200) }]
    expect(rankModels(rows, 'tokens', 10).map((r) => [r.rank, r.model])).toEqual([[1, 'a'], [2, 'd'], [3, 'b'], [4, 'c']])
    expect(rankModels(rows, 'requests', 2).map((r) => r.model)).toEqual(['d', 'b'])
  })

  it('names an app by its title and its referer\'s origin only; an app with neither is unattributed', () => {
    const { apps, unattributed } = rankApps(
      [
        { app: app('https://tool.example/path?token=secret', 'Tool'), ...c(2, 20) },
        { app: app('https://tool.example/other', 'Tool'), ...c(3, 30) },
        { app: app('not a url', null), ...c(4, 40) },
        { app: app('javascript:alert(1)', null), ...c(1, 1) },
        { app: app(null, 'Titled'), ...c(1, 10) },
      ],
      c(5, 50),
      'tokens',
      10,
    )
    expect(apps).toEqual([
      { rank: 1, title: 'Tool', url: 'https://tool.example', requests: 5, prompt_tokens: 50, completion_tokens: 0, total_tokens: 50 },
      { rank: 2, title: 'Titled', url: null, requests: 1, prompt_tokens: 10, completion_tokens: 0, total_tokens: 10 },
    ])
    expect(unattributed).toEqual({ requests: 10, prompt_tokens: 91, completion_tokens: 0, total_tokens: 91 })
    expect(JSON.stringify(apps)).not.toContain('secret')
  })

  it('takes only http(s) origins', () => {
    expect(originOf('https://a.example:8443/x?y#z')).toBe('https://a.example:8443')
    expect(originOf('http://user:pw@a.example/')).toBe('http://a.example')
    expect(originOf('ftp://a.example/')).toBeNull()
    expect(originOf('')).toBeNull()
  })
})
