// Content logging at the pipeline's edge: whether this request's prompt and completion are
// stored (the key's and account's settings, cached with the key, and the request's header), and
// the write itself, redacted, from waitUntil after the response (never on the response path).
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import { redactorOf } from '../lib/redact.ts'
import type { CanonicalChunk } from '../providers/types.ts'
import { COMPLETION_LIMIT, storeContent } from '../storage/content.ts'
import { expiresAt, headerAsks, LOG_CONTENT_HEADER, logsContent } from '../storage/content-policy.ts'
import { completionText } from '../storage/content-text.ts'

export interface ContentLog {
  /** Store the prompt with this completion: a stream's assembled text, or a JSON response's body. */
  store(completion: { text: string } | { body: string } | null): Promise<void>
}

const textOfBody = (body: string): string | null => {
  try {
    return completionText(JSON.parse(body))
  } catch {
    return null
  }
}

/** The request's content log, or undefined when its content is not stored. A bad header value throws a 400. */
export const contentLogFor = (c: Context<AppEnv>, id: string, raw: string): ContentLog | undefined => {
  const asked = headerAsks(c.req.header(LOG_CONTENT_HEADER))
  const key = c.var.key
  if (!logsContent(key, asked)) return undefined
  const createdAt = Date.now()
  return {
    store: async (completion) => {
      const redact = redactorOf(c.env)
      const text = completion === null ? null : 'text' in completion ? completion.text : textOfBody(completion.body)
      try {
        await storeContent(c.env, {
          id, account_id: key.accountId, key_hash: key.hash, created_at: createdAt,
          expires_at: expiresAt(createdAt, key.contentRetentionDays),
          request: redact(raw),
          completion: text === null ? null : redact(text.slice(0, COMPLETION_LIMIT)),
          truncated: text !== null && text.length > COMPLETION_LIMIT,
        })
      } catch (e) {
        // Logged without the content: the generation itself is settled regardless.
        console.error(JSON.stringify({ level: 'error', message: 'content log write failed', id, error: e instanceof Error ? e.name : 'unknown' }))
      }
    },
  }
}

/** A stream's completion text, assembled from its canonical chunks (content only), up to the limit. */
export const streamAssembler = () => {
  let text = ''
  return {
    add(chunks: CanonicalChunk[]) {
      if (text.length > COMPLETION_LIMIT) return
      for (const chunk of chunks) for (const choice of chunk.choices) if (choice.delta.content) text += choice.delta.content
    },
    text: () => text,
  }
}
