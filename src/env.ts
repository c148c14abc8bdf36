// The typed Hono env and the operator settings, validated once per isolate.
import { ConfigSchema, type Config } from './config.ts'
import type { TimingVariables } from 'hono/timing'
import type { RequestIdVariables } from 'hono/request-id'
import type { KeyRecord } from './auth/key-cache.ts'

const parsed = new WeakMap<object, Config>()

export const configOf = (env: Env): Config => {
  let config = parsed.get(env)
  if (!config) {
    const result = ConfigSchema.safeParse(env)
    if (!result.success) {
      const issue = result.error.issues[0]
      throw new Error(`Invalid configuration ${issue?.path.join('.')}: ${issue?.message}`)
    }
    config = result.data
    parsed.set(env, config)
  }
  return config
}

/** Reads a string var or secret that `wrangler types` cannot know about (`<ID>_API_KEY`, `<ID>_BASE_URL`). */
export const envString = (env: Env, name: string): string | undefined => {
  const value: unknown = (env as unknown as Record<string, unknown>)[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

export interface AppVariables extends TimingVariables, RequestIdVariables {
  key: KeyRecord
}

export interface AppEnv {
  Bindings: Env
  Variables: AppVariables
}
