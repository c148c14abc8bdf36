// The lines `npm start` prints once the gateway answers. Scripts parse them (the e2e
// setup, the bench), so they are a contract: change them here, in both directions.

export interface Banner {
  /** e.g. http://localhost:8787/api/v1 */
  baseURL: string
  accountId: string
  apiKey: string
  managementKey: string
}

/** The dashboard is served at the root of the API's origin (docs/dashboard.md). */
export const dashboardURL = (baseURL: string) => new URL('/', baseURL).href

export const formatBanner = (b: Banner): string =>
  [
    '',
    `Switchboard is running at ${b.baseURL}`,
    `Account:        ${b.accountId}`,
    `API key:        ${b.apiKey}`,
    `Management key: ${b.managementKey}`,
    `Dashboard:      ${dashboardURL(b.baseURL)}`,
    '',
  ].join('\n')

/** The banner in npm start's output so far, or undefined until all of it has arrived. */
export const parseBanner = (output: string): Banner | undefined => {
  const baseURL = output.match(/^Switchboard is running at (\S+)$/m)?.[1]
  const accountId = output.match(/^Account:\s+(\S+)$/m)?.[1]
  const apiKey = output.match(/^API key:\s+(sk-sb-v1-[0-9a-f]{64})$/m)?.[1]
  const managementKey = output.match(/^Management key:\s+(sk-sb-v1-[0-9a-f]{64})$/m)?.[1]
  return baseURL && accountId && apiKey && managementKey ? { baseURL, accountId, apiKey, managementKey } : undefined
}
