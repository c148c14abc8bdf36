// PURE: one key's recent demand in a shard, over a sliding window: how many requests, the sum
// of their holds and the largest. A busy key sees thousands of requests a window and the shard
// reads these figures on every look at its outbox, so each is kept as samples come and go
// (amortized O(1)) rather than recounted from the samples each time.

export class DemandWindow {
  private at: number[] = []
  private micro: number[] = []
  /** The oldest sample still in the window: those before it are dropped, and compacted away in bulk. */
  private head = 0
  private sum = 0
  /** Indices of samples no later sample's hold reaches, oldest first: the first is the window's largest. */
  private maxes: number[] = []
  private maxHead = 0

  constructor(private readonly windowMs: number) {}

  /** A request at `now` (the shard's clock never goes back) holding `holdMicro`. */
  push(now: number, holdMicro: number): void {
    this.prune(now)
    const i = this.at.length
    this.at.push(now)
    this.micro.push(holdMicro)
    this.sum += holdMicro
    while (this.maxes.length > this.maxHead && this.micro[this.maxes[this.maxes.length - 1]!]! <= holdMicro) this.maxes.pop()
    this.maxes.push(i)
  }

  /** Requests in the window ending at `now`. */
  count(now: number): number {
    this.prune(now)
    return this.at.length - this.head
  }

  /** The holds of the window's requests, summed. */
  sumMicro(now: number): number {
    this.prune(now)
    return this.sum
  }

  /** The largest hold in the window, 0 when it is empty. */
  maxMicro(now: number): number {
    this.prune(now)
    const i = this.maxes[this.maxHead]
    return i === undefined ? 0 : this.micro[i]!
  }

  /** When the last request came, whether or not it is still in the window. */
  lastAt(): number {
    return this.at[this.at.length - 1] ?? -Infinity
  }

  /** Drops samples at or before now − window (a window is (now − windowMs, now]). */
  private prune(now: number): void {
    const from = now - this.windowMs
    while (this.head < this.at.length && this.at[this.head]! <= from) this.sum -= this.micro[this.head++]!
    while (this.maxHead < this.maxes.length && this.maxes[this.maxHead]! < this.head) this.maxHead++
    // Compact once the dropped part is most of the arrays: each sample is copied O(1) times.
    if (this.head >= 1024 && this.head * 2 >= this.at.length) {
      this.at = this.at.slice(this.head)
      this.micro = this.micro.slice(this.head)
      this.maxes = this.maxes.slice(this.maxHead).map((j) => j - this.head)
      this.head = 0
      this.maxHead = 0
    }
  }
}
