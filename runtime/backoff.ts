/**
 * @module runtime/backoff
 * The one exponential backoff of Sluice: how long to wait before retry number `n` after
 * consecutive failures. Every retry loop uses it: the watcher ({@link WATCH_BACKOFF}), the worker's
 * job retries ({@link RETRY_BACKOFF}), the enqueue batcher ({@link ENQUEUE_BACKOFF}), and the broker
 * clients' polls.
 *
 * Guarantees:
 * - the delay of retry `n` (1 for the first) is `initialMs × factor^(n-1)`, capped at `maxMs`,
 *   then jittered, then capped at `maxMs` again and rounded to a whole, non-negative ms;
 * - it is pure: {@link backoffDelay} depends only on its arguments (`random` included), so a
 *   policy is tested without sleeping; {@link exponentialBackoff} only adds a failure counter.
 *
 * Costs: constant time; no timers of its own (callers sleep).
 */

/**
 * How a delay is spread so that many clients failing together do not retry together:
 * - `{ up: r }` multiplies it by a random factor in [1, 1 + r] (client-go's `wait.Jitter`);
 * - `{ around: r }` multiplies it by a random factor in [1 − r, 1 + r].
 */
export type Jitter = { readonly up: number } | { readonly around: number };

/** A capped exponential backoff. */
export interface BackoffPolicy {
  /** The delay before the first retry, in ms. */
  readonly initialMs: number;
  /** The longest delay, in ms, jitter included. */
  readonly maxMs: number;
  /** Growth from one retry to the next. @defaultValue 2 */
  readonly factor?: number;
  /** @defaultValue none: every delay is exact */
  readonly jitter?: Jitter;
}

/**
 * The watch backoff of client-go and kube-rs: 0.8 s doubling to 30 s, each delay up to twice as
 * long at random. The watcher resets it after two healthy minutes.
 */
export const WATCH_BACKOFF: BackoffPolicy = { initialMs: 800, maxMs: 30_000, jitter: { up: 1 } };

/**
 * The retry backoff of a failed reconcile, client-go's work-queue default: 5 ms doubling to
 * 1000 s (reached at the 19th failure), ± 20 %.
 */
export const RETRY_BACKOFF: BackoffPolicy = { initialMs: 5, maxMs: 1_000_000, jitter: { around: 0.2 } };

/** The retry backoff of the dispatcher's writes to Redis: 0.2 s doubling to 10 s. */
export const ENQUEUE_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };

/** Doublings beyond this many change nothing: 2^60 times any initial delay is above any cap. */
const MAX_GROWTH_STEPS = 60;

/**
 * The delay before retry number `attempt` (1 for the first retry; lower counts as 1).
 * @example backoffDelay(3, { initialMs: 100, maxMs: 1000 }) // 400
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const steps = Math.min(Math.max(1, attempt) - 1, MAX_GROWTH_STEPS);
  const raw = Math.min(policy.initialMs * (policy.factor ?? 2) ** steps, policy.maxMs);
  const jitter = policy.jitter;
  const spread =
    jitter === undefined
      ? 1
      : 'up' in jitter
        ? 1 + jitter.up * random()
        : 1 - jitter.around + 2 * jitter.around * random();
  return Math.max(0, Math.round(Math.min(raw * spread, policy.maxMs)));
}

/** A failure counter over a policy, for loops that retry the same operation. */
export interface Backoff {
  /** The delay before the next attempt, in ms; each call counts one more failure. */
  next(): number;
  /** Forget past failures (after a success, or a healthy stretch). */
  reset(): void;
}

/** A {@link Backoff} that follows `policy`. */
export function exponentialBackoff(policy: BackoffPolicy, random: () => number = Math.random): Backoff {
  let failures = 0;
  return {
    next: () => backoffDelay(++failures, policy, random),
    reset: () => {
      failures = 0;
    },
  };
}

/** The watcher's default: {@link WATCH_BACKOFF}. */
export function defaultBackoffPolicy(): Backoff {
  return exponentialBackoff(WATCH_BACKOFF);
}
