/**
 * The calls (rpc, erpc) this node is serving now, so that a stopping node can let them finish:
 * each one's promise until it settles. Once closed, the node takes no new calls.
 */
export class ServedCalls {
  private readonly calls = new Set<Promise<unknown>>();
  private closedNow = false;

  /** Calls still going. */
  get size(): number {
    return this.calls.size;
  }

  /** True once {@link close}d: new calls are refused. */
  get closed(): boolean {
    return this.closedNow;
  }

  /** Take no new calls. */
  close(): void {
    this.closedNow = true;
  }

  /** Count `call` as going until it settles. */
  track(call: Promise<unknown>): void {
    this.calls.add(call);
    const forget = () => this.calls.delete(call);
    call.then(forget, forget);
  }

  /** Resolves once every call going now has settled (true), or after `ms` (false), whichever is first. */
  settled(ms: number): Promise<boolean> {
    if (this.calls.size === 0) return Promise.resolve(true);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const all = Promise.allSettled([...this.calls]).then(() => true);
    return Promise.race([all, late]).finally(() => clearTimeout(timer));
  }
}
