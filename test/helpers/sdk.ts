// The real client SDKs, running inside workerd and pointed at the Worker under test.
import Anthropic from '@anthropic-ai/sdk'
import { exports } from 'cloudflare:workers'
import OpenAI from 'openai'

const toWorker = (input: string | URL | Request, init?: RequestInit) => exports.default.fetch(new Request(input, init))

/** @anthropic-ai/sdk as Claude Code configures it: base URL `<gateway>/api`, the key as a bearer token (or as x-api-key). */
export const anthropicClient = (key: string, auth: 'authToken' | 'apiKey' = 'authToken') =>
  new Anthropic({
    baseURL: 'https://gateway.test/api',
    ...(auth === 'authToken' ? { authToken: key, apiKey: null } : { apiKey: key, authToken: null }),
    maxRetries: 0,
    fetch: toWorker,
  })

/** The openai SDK with base URL `<gateway>/api/v1`, as Codex and OpenAI-compatible tools use it. */
export const openaiClient = (key: string) => new OpenAI({ baseURL: 'https://gateway.test/api/v1', apiKey: key, maxRetries: 0, fetch: toWorker })

/** OpenRouter's addition to usage, which neither SDK's types know. */
export const costOf = (usage: unknown): number | undefined => (usage as { cost?: number } | null | undefined)?.cost
