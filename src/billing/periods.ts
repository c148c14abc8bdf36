// PURE: UTC reset periods for key credit limits and daily quotas. Days start at
// 00:00 UTC, weeks on Monday, months on the 1st (as OpenRouter's).

export type LimitReset = 'daily' | 'weekly' | 'monthly'
export type Period = 'day' | 'week' | 'month'

const DAY_MS = 86_400_000

export const dayStart = (now: number): number => now - (now % DAY_MS)

export const weekStart = (now: number): number => {
  const day = dayStart(now)
  const weekday = new Date(day).getUTCDay() // 0 = Sunday
  return day - ((weekday + 6) % 7) * DAY_MS
}

export const monthStart = (now: number): number => {
  const d = new Date(now)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

export const periodStart = (period: Period, now: number): number =>
  period === 'day' ? dayStart(now) : period === 'week' ? weekStart(now) : monthStart(now)

/** When the current period ends (= the next one starts). */
export const periodEnd = (period: Period, now: number): number => {
  if (period === 'day') return dayStart(now) + DAY_MS
  if (period === 'week') return weekStart(now) + 7 * DAY_MS
  const d = new Date(now)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

export const PERIOD_OF: Record<LimitReset, Period> = { daily: 'day', weekly: 'week', monthly: 'month' }
