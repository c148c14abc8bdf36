// API key format: `sk-sb-v1-` + 64 hex characters (256 random bits). Only the
// SHA-256 hex of the whole key is stored (hash = sha256hex(key), as OpenRouter's: docs/compatibility.md#keys).
import { randomHex, sha256Hex } from '../lib/crypto.ts'

export const KEY_PREFIX = 'sk-sb-v1-'
const KEY_PATTERN = /^sk-sb-v1-[0-9a-f]{64}$/

export const generateKey = (): string => `${KEY_PREFIX}${randomHex(32)}`

export const isWellFormedKey = (key: string): boolean => KEY_PATTERN.test(key)

export const hashKey = (key: string): Promise<string> => sha256Hex(key)

/** What the API shows instead of the key: `sk-sb-v1-3f2...9c1d`. */
export const keyLabel = (key: string): string => `${key.slice(0, KEY_PREFIX.length + 3)}...${key.slice(-4)}`
