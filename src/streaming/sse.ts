// SSE in and out. Upstream bytes are parsed with eventsource-parser (never by
// splitting strings: one network read may hold half an event or several).
import { EventSourceParserStream } from 'eventsource-parser/stream'
import type { SseEvent } from '../providers/types.ts'

export const parseEvents = (body: ReadableStream<Uint8Array>): ReadableStream<SseEvent> =>
  body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .pipeThrough(
      new TransformStream({
        transform: (message, controller) => controller.enqueue({ event: message.event, data: message.data }),
      }),
    )

const encoder = new TextEncoder()

/** One `data:` event. JSON.stringify never emits a raw newline, so one line is always enough. */
export const encodeData = (payload: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(payload)}\n\n`)

export const DONE = encoder.encode('data: [DONE]\n\n')

/** A comment line: clients ignore it; it keeps proxies and clients from timing out before the first token. */
export const KEEPALIVE = encoder.encode(': SWITCHBOARD PROCESSING\n\n')

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const
