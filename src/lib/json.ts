// PURE: narrowing parsed JSON.

/** A JSON object (not an array, not null), its keys readable. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
