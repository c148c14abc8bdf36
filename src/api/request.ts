// Reading and validating request bodies into the one error envelope.
import type { Context } from 'hono'
import type { z } from 'zod'
import { GatewayError } from '../errors.ts'

const pathOf = (path: PropertyKey[]) => path.map(String).join('.') || '(body)'

/** Parse JSON and validate it; a bad body is a 400 naming the first offending field. */
export const readBody = async <S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> => parseBody(await c.req.text(), schema)

export const parseBody = <S extends z.ZodType>(text: string, schema: S): z.infer<S> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new GatewayError('invalid_request', 'Invalid JSON in request body')
  }
  return validate(json, schema)
}

/** Validate an already-parsed value (a body, a query, path params) the same way. */
export const validate = <S extends z.ZodType>(value: unknown, schema: S): z.infer<S> => {
  const result = schema.safeParse(value)
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((i) => ({ path: pathOf(i.path), message: i.message }))
    const first = issues[0]
    throw new GatewayError('invalid_request', `Invalid request: ${first?.path}: ${first?.message}`, { metadata: { issues } })
  }
  return result.data
}
