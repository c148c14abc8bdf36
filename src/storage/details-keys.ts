// PURE: where a flush batch's details object lives in R2: under the hour its generations
// started in, so a day's objects share a prefix (retention deletes by hour and day) and a D1
// row names its object (account, hour of created_at, batch).
const HOUR_MS = 3_600_000
export const DETAILS_PREFIX = 'generations/'

/** `generations/<YYYY-MM-DD>/<HH>/` of an instant. */
export const hourPrefix = (at: number): string => {
  const iso = new Date(at - (at % HOUR_MS)).toISOString()
  return `${DETAILS_PREFIX}${iso.slice(0, 10)}/${iso.slice(11, 13)}/`
}

export const detailsKey = (accountId: string, createdAt: number, batch: number): string =>
  `${hourPrefix(createdAt)}${accountId}/${batch}.jsonl.gz`
