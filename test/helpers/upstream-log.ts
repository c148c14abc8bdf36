// What the fake upstreams received (test/fakes/upstreams.ts keeps every request): a test
// puts a marker of its own in a prompt and reads back exactly what went upstream.
import type { Received } from '../fakes/upstreams.ts'

export type { Received }

/** The requests the fakes got whose body contains `marker`, oldest first. */
export const receivedWith = async (marker: string): Promise<Received[]> => {
  const res = await fetch(`https://fakes.test/received?contains=${encodeURIComponent(marker)}`)
  if (!res.ok) throw new Error(`fakes.test: ${res.status} ${await res.text()}`)
  return res.json<Received[]>()
}

/** A marker unique to one test run. */
export const marker = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`
