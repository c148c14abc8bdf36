// SSE in and out. Upstream bytes are parsed with eventsource-parser (never by
// splitting strings: one network read may hold half an event or several).
import { EventSourceParserStream } from 'eventsource-parser/stream'
import type { SseEvent } from '../providers/types.ts'
import type { SseOut } from '../skins/skin.ts'

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

/**
 * One event out, as text: `event:` when named, then its data on one line (JSON.stringify
 * never emits a raw newline; a string is sent raw, so it must hold none).
 */
export const sseText = (out: SseOut): string =>
  `${out.event === undefined ? '' : `event: ${out.event}\n`}data: ${typeof out.data === 'string' ? out.data : JSON.stringify(out.data)}\n\n`

export const encodeText = (text: string): Uint8Array => encoder.encode(text)

/** A comment line: clients ignore it; it keeps proxies and clients from timing out before the first token. */
export const KEEPALIVE = encoder.encode(': SWITCHBOARD PROCESSING\n\n')

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const
