/**
 * @module brokers/batcher
 * Turns concurrent single-item calls into batched requests, as Strimzi's topic operator does:
 * the first call of a batch waits `lingerMs` for company; a full batch (`maxBatch`) goes at once.
 *
 * Guarantees: every call settles exactly once with its own item's result; two calls with the same
 * key never share a batch (the later one goes in the next batch); at most `maxInFlight` batches
 * run at once, so under load calls queue up and form larger batches instead of more requests.
 */

/** One item's outcome, as a value. */
export type Settled<O> =
  { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown };

/** Runs one batch; returns one outcome per item, in order. A throw fails every item with it. */
export type BatchRunner<I, O> = (items: readonly I[]) => Promise<readonly Settled<O>[]>;

/** How a {@link Batcher} groups calls. */
export interface BatcherOptions {
  /** How long the first call of a batch waits for others. */
  readonly lingerMs: number;
  /** The most items in one batch. */
  readonly maxBatch: number;
  /** The most batches running at once. */
  readonly maxInFlight: number;
}

interface Pending<I, O> {
  readonly item: I;
  readonly key: string;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/** A success outcome. */
export function ok<O>(value: O): Settled<O> {
  return { ok: true, value };
}

/** A failure outcome. */
export function failed<O>(error: unknown): Settled<O> {
  return { ok: false, error };
}

/** Groups concurrent {@link submit} calls into batches run by one {@link BatchRunner}. */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private closedWith: Error | undefined;
  /** Batches started so far. */
  batches = 0;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly keyOf: (item: I) => string,
    private readonly opts: BatcherOptions,
  ) {}

  /** Queues one item; settles with that item's outcome. */
  submit(item: I): Promise<O> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, key: this.keyOf(item), resolve, reject });
      this.schedule();
    });
  }

  /** Fails every queued (not yet started) call with `error`, and every later call too. */
  close(error: Error): void {
    this.closedWith = error;
    this.clearTimer();
    const queued = this.queue;
    this.queue = [];
    for (const p of queued) p.reject(error);
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.inFlight >= this.opts.maxInFlight) return;
    if (this.queue.length >= this.opts.maxBatch) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.opts.lingerMs);
    }
  }

  private flush(): void {
    this.clearTimer();
    if (this.queue.length === 0 || this.inFlight >= this.opts.maxInFlight) return;
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (const p of this.queue) {
      if (batch.length < this.opts.maxBatch && !keys.has(p.key)) {
        keys.add(p.key);
        batch.push(p);
      } else {
        rest.push(p);
      }
    }
    this.queue = rest;
    this.inFlight++;
    this.batches++;
    void this.execute(batch).finally(() => {
      this.inFlight--;
      // Calls that queued meanwhile have waited long enough: send them now.
      if (this.queue.length > 0) this.flush();
    });
    this.schedule();
  }

  private async execute(batch: readonly Pending<I, O>[]): Promise<void> {
    let results: readonly Settled<O>[];
    try {
      results = await this.run(batch.map((p) => p.item));
    } catch (err) {
      results = batch.map(() => failed<O>(err));
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r === undefined) p.reject(new Error('internal: the batch returned no result for this item'));
      else if (r.ok) p.resolve(r.value);
      else p.reject(r.error);
    });
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
