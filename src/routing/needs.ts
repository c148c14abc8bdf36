// PURE: what a request needs from an endpoint, read off the request body.
import { OPTIONAL_PARAMS } from '../providers/openai.ts'
import type { ChatRequest } from '../schemas/chat-request.ts'
import type { Needs } from './plan.ts'

export const needsOf = (req: ChatRequest): Needs => ({
  tools: (req.tools?.length ?? 0) > 0,
  jsonSchema: req.response_format?.type === 'json_schema',
  images: req.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url')),
  params: Object.keys(req).filter((k) => OPTIONAL_PARAMS.has(k) && req[k as keyof ChatRequest] != null),
})
