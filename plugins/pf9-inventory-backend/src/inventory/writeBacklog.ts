/**
 * Backpressure between a sync's listings and its writes: the resources of types handed to the store
 * and not yet written are counted, and while they exceed the limit the listing's next request waits
 * (the client's `beforeSend`). Only types ready to be written count, and those always drain, so a
 * type waiting for another type's listing (enrich.ts ENRICHMENT_SOURCES) never blocks that listing.
 */
export class WriteBacklog {
  private queued = 0;
  private waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get size(): number {
    return this.queued;
  }

  added(resources: number): void {
    this.queued += resources;
  }

  written(resources: number): void {
    this.queued -= resources;
    if (this.queued > this.limit) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  }

  /** Resolves once the backlog is within its limit. */
  async room(): Promise<void> {
    if (this.queued <= this.limit) return;
    await new Promise<void>(resume => this.waiting.push(resume));
  }
}
