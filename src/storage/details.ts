// Generation details in R2: one gzipped JSONL object per recorder batch, at the
// key details-keys.ts makes; written by the flush, read back by /generation and the export.
import { DetailsSchema, type Details } from './record.ts'

export { DETAILS_PREFIX, detailsKey, hourPrefix } from './details-keys.ts'

export const encodeDetails = async (lines: Details[]): Promise<ArrayBuffer> => {
  const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n'
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()
}

export const decodeDetails = async (body: ReadableStream): Promise<Details[]> => {
  const text = await new Response(body.pipeThrough(new DecompressionStream('gzip'))).text()
  return text.split('\n').filter((line) => line !== '').flatMap((line) => {
    const parsed = DetailsSchema.safeParse(JSON.parse(line))
    return parsed.success ? [parsed.data] : []
  })
}

/** A batch's details, written before its D1 rows; writing it again (a retried flush) writes the same object. */
export const putDetails = async (bucket: R2Bucket, key: string, lines: Details[]): Promise<void> => {
  await bucket.put(key, await encodeDetails(lines), { httpMetadata: { contentType: 'application/gzip' } })
}

/**
 * Recently read objects, by key: the SDK polls /generation for one id, and the export reads
 * a batch's generations together. Objects never change once their batch is in D1.
 */
const cache = new Map<string, Map<string, Details>>()
const CACHE_OBJECTS = 32

/** The details of one object by generation id; empty when the object is gone (pruned, or never written). */
export const readDetails = async (bucket: R2Bucket, key: string): Promise<Map<string, Details>> => {
  const hit = cache.get(key)
  if (hit) return hit
  const object = await bucket.get(key)
  if (!object) return new Map()
  const byId = new Map((await decodeDetails(object.body)).map((d) => [d.id, d]))
  cache.set(key, byId)
  if (cache.size > CACHE_OBJECTS) cache.delete(cache.keys().next().value as string)
  return byId
}
