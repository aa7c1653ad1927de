/**
 * @module runtime/watch/backoff
 * Backoff policies for watches: how long to wait after the n-th consecutive error.
 */

export interface Backoff {
  /** The delay before the next attempt, in ms. */
  next(): number;
  /** Forget past errors (after a healthy stretch). */
  reset(): void;
}

export interface ExponentialBackoffOptions {
  /** @defaultValue 800 */
  readonly initialMs?: number;
  /** @defaultValue 30000 */
  readonly maxMs?: number;
  /** @defaultValue 2 */
  readonly factor?: number;
  /** Each delay is multiplied by a random factor in [1, 1 + jitter]. @defaultValue 1 */
  readonly jitter?: number;
  readonly random?: () => number;
}

/** Exponential backoff with jitter and a cap. */
export function exponentialBackoff(opts: ExponentialBackoffOptions = {}): Backoff {
  const initial = opts.initialMs ?? 800;
  const max = opts.maxMs ?? 30_000;
  const factor = opts.factor ?? 2;
  const jitter = opts.jitter ?? 1;
  const random = opts.random ?? Math.random;
  let current = initial;
  return {
    next() {
      const base = current;
      current = Math.min(current * factor, max);
      return Math.min(Math.round(base * (1 + jitter * random())), max);
    },
    reset() {
      current = initial;
    },
  };
}

/**
 * The watch backoff of client-go and kube-rs: 0.8 s doubling to 30 s, with jitter. The watcher
 * resets it after two healthy minutes.
 */
export function defaultBackoffPolicy(): Backoff {
  return exponentialBackoff({ initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1 });
}
