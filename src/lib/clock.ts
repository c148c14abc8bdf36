// Where "now" comes from. Stateful objects read time through one Clock, so a test can
// move it and every decision the object makes (admission, windows, pruning) moves with it.

/** Milliseconds since the Unix epoch. */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()
