// Wakes this instance's sync scheduler when work became due here (a sync asked for, a reconnect accepted).
// Other instances find the same work in the database at their next tick.

export class SyncSignal {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` on every wake until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  wake(): void {
    for (const listener of this.listeners) listener();
  }
}
