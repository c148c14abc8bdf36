// PURE: where a batch's details object lives in R2: under the hour its generations started
// in, so a day's objects share a prefix (retention deletes by hour and day), then its writer
// and batch number, so a D1 row names its object (writer or account, hour of created_at, batch).
const HOUR_MS = 3_600_000
export const DETAILS_PREFIX = 'generations/'

/** `generations/<YYYY-MM-DD>/<HH>/` of an instant. */
export const hourPrefix = (at: number): string => {
  const iso = new Date(at - (at % HOUR_MS)).toISOString()
  return `${DETAILS_PREFIX}${iso.slice(0, 10)}/${iso.slice(11, 13)}/`
}

/** `owner`: the batch's writer (a recorder, `recorders/<n>`), or the account whose gate wrote it before recorders. */
export const detailsKey = (owner: string, createdAt: number, batch: number): string =>
  `${hourPrefix(createdAt)}${owner}/${batch}.jsonl.gz`
