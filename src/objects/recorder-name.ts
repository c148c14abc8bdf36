// PURE: which recorder an account's settled generations go to (recorder.ts).

/** FNV-1a: a stable, well-spread 32-bit hash of a string. */
const fnv1a = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** The recorder an account's settled generations go to, of `count` (RECORDERS): its name, also its D1 writer name. */
export const recorderName = (accountId: string, count: number): string => `recorders/${fnv1a(accountId) % count}`
