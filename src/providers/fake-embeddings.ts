// The fake upstream's POST /embeddings (fake.ts routes to it): deterministic unit
// vectors from a hash of each input, OpenAI's response shape, and usage of about
// four characters a token. The Gemini test fake draws its vectors from here too.

/** FNV-1a, for deterministic embedding vectors. */
const hash = (text: string, seed: number): number => {
  let h = 0x811c9dc5 ^ seed
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export const unitVector = (text: string, dims: number): number[] => {
  const raw = Array.from({ length: dims }, (_, d) => (hash(text, d) / 0xffffffff) * 2 - 1)
  const norm = Math.hypot(...raw) || 1
  return raw.map((v) => v / norm)
}

/** Texts or token-id arrays, as OpenAI takes them (a flat number[] is one input). */
const embedInputs = (input: unknown): (string | number[])[] => {
  if (!Array.isArray(input)) return [String(input ?? '')]
  if (typeof input[0] === 'number') return [input.map(Number)]
  return input.map((x: unknown) => (Array.isArray(x) ? x.map(Number) : String(x)))
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes. */
const base64Floats = (values: number[]) => {
  const view = new DataView(new ArrayBuffer(values.length * 4))
  values.forEach((v, i) => view.setFloat32(i * 4, v, true))
  return btoa(String.fromCharCode(...new Uint8Array(view.buffer)))
}

export const fakeEmbeddings = (body: { model?: unknown; input?: unknown; dimensions?: unknown; encoding_format?: unknown }): Response => {
  const inputs = embedInputs(body.input)
  const dims = Math.min(Math.max(Number(body.dimensions) || 16, 1), 4096)
  const data = inputs.map((input, index) => {
    const vector = unitVector(typeof input === 'string' ? input : input.join(' '), dims)
    return { object: 'embedding', index, embedding: body.encoding_format === 'base64' ? base64Floats(vector) : vector }
  })
  // At least one token per text; a token-id input counts its ids.
  const tokens = inputs.reduce((sum, x) => sum + (typeof x === 'string' ? Math.max(1, Math.ceil(x.length / 4)) : x.length), 0)
  const usage = { prompt_tokens: tokens, total_tokens: tokens }
  return new Response(JSON.stringify({ object: 'list', data, model: String(body.model), usage }), { headers: { 'content-type': 'application/json' } })
}
