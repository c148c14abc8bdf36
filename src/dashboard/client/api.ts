// The dashboard's only way to the server: the public /api/v1 API, with the session's key as
// `Authorization: Bearer`. Errors arrive in the API's envelope and become ApiError.
import { clearSession, getSession, toSignIn } from './session.ts'

export const API = '/api/v1'

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly type?: string) {
    super(message)
  }
}

interface Envelope { error?: { code?: number; message?: string; metadata?: { error_type?: string } } }

/** The API's error message from a failed response (its envelope), or the status line. */
export const errorOf = async (res: Response): Promise<ApiError> => {
  const body = (await res.json().catch(() => ({}))) as Envelope
  return new ApiError(res.status, body.error?.message ?? `${res.status} ${res.statusText}`, body.error?.metadata?.error_type)
}

export const authHeaders = (key = getSession()?.key): Record<string, string> => (key ? { Authorization: `Bearer ${key}` } : {})

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  body?: unknown
  /** Another key than the session's (sign-in checks the pasted one). */
  key?: string
  signal?: AbortSignal
}

/** Calls the API and returns its JSON; a 401 on the session's own key ends the session. */
export const api = async <T>(path: string, options: ApiOptions = {}): Promise<T> => {
  const res = await fetch(`${API}${path}`, {
    method: options.method ?? 'GET',
    headers: { ...authHeaders(options.key), ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    cache: 'no-store',
  })
  if (!res.ok) {
    const err = await errorOf(res)
    if (res.status === 401 && options.key === undefined && getSession()) {
      clearSession()
      toSignIn()
    }
    throw err
  }
  return (await res.json()) as T
}
