// Stream helpers for unit tests: fixture bytes fed in awkward pieces, and
// streams drained to arrays.
const encoder = new TextEncoder()

export const bytesOf = (text: string): Uint8Array => encoder.encode(text)

/** A byte stream that delivers `data` in pieces of the given sizes, cycling through them. */
export const chunkedStream = (data: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      let at = 0
      for (let k = 0; at < data.length; k++) {
        const size = sizes[k % sizes.length] ?? 1
        controller.enqueue(data.slice(at, at + size))
        at += size
      }
      controller.close()
    },
  })

/** A byte stream cut at the given offsets (each piece is one read). */
export const splitStream = (data: Uint8Array, offsets: number[]): ReadableStream<Uint8Array> =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      let from = 0
      for (const to of [...offsets, data.length]) {
        controller.enqueue(data.slice(from, to))
        from = to
      }
      controller.close()
    },
  })

export const drain = async <T>(stream: ReadableStream<T>): Promise<T[]> => {
  const reader = stream.getReader()
  const out: T[] = []
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return out
    out.push(value)
  }
}

/** A stream of the given items that the test closes, errors or extends by hand. */
export const controllable = <T>() => {
  let controller!: ReadableStreamDefaultController<T>
  let cancelled: unknown = undefined
  let wasCancelled = false
  const stream = new ReadableStream<T>({
    start(c) {
      controller = c
    },
    cancel(reason) {
      wasCancelled = true
      cancelled = reason
    },
  })
  return {
    stream,
    push: (item: T) => controller.enqueue(item),
    close: () => controller.close(),
    error: (e: unknown) => controller.error(e),
    /** Items enqueued but not yet read by the consumer (the source's high-water mark is 1). */
    get queued() {
      return 1 - (controller.desiredSize ?? 1)
    },
    get cancelled() {
      return wasCancelled
    },
    get cancelReason() {
      return cancelled
    },
  }
}
