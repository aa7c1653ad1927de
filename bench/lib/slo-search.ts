/**
 * @module bench/lib/slo-search
 * The search for the highest offered rate that still meets a service-level objective: step loads
 * that grow by a factor until one fails, then bisection (geometric) between the best rate that
 * passed and the lowest that failed, until the two are within `precision` of each other or the
 * step budget is spent. Pure: the caller runs each step and reports whether it passed.
 *
 * The answer is always a rate that was measured to pass (never an interpolation), so the figure
 * is an under-estimate by at most the precision.
 */

/** One step of load that was run. */
export interface Step {
  /** Offered changes per second. */
  readonly rate: number;
  /** Whether the step met the objective. */
  readonly passed: boolean;
}

export interface SearchOptions {
  /** The first rate tried. */
  readonly start: number;
  /** The growth factor while every step passes. @defaultValue 1.25 */
  readonly growth?: number;
  /** Stop when the lowest failing rate is at most this factor above the best passing one. @defaultValue 1.06 */
  readonly precision?: number;
  /** Steps at most. @defaultValue 8 */
  readonly maxSteps?: number;
  /** Below this rate the search gives up (the objective fails even at a trickle). @defaultValue 1 */
  readonly minRate?: number;
}

/** The best rate that passed (0 when none did) and the lowest that failed, if any. */
export function bounds(steps: readonly Step[]): { best: number; failed: number | undefined } {
  let best = 0;
  let failed: number | undefined;
  for (const s of steps) {
    if (s.passed) best = Math.max(best, s.rate);
    else failed = failed === undefined ? s.rate : Math.min(failed, s.rate);
  }
  return { best, failed };
}

/**
 * The next rate to offer after `steps`, or `undefined` when the search is over (then
 * {@link bounds}`(steps).best` is the answer). Until a step passes, the rate shrinks by the square
 * of the growth factor; until one fails, it grows by it. A failure below a rate that passed (noise) is
 * taken as the upper bound all the same: the answer stays a rate that passed.
 */
export function nextRate(steps: readonly Step[], opts: SearchOptions): number | undefined {
  const growth = opts.growth ?? 1.25;
  const precision = opts.precision ?? 1.06;
  const maxSteps = opts.maxSteps ?? 8;
  const minRate = opts.minRate ?? 1;
  if (steps.length === 0) return opts.start;
  if (steps.length >= maxSteps) return undefined;
  const { best, failed } = bounds(steps);
  if (failed === undefined) return best * growth;
  if (best === 0) {
    // Coming down takes bigger steps (the square of the growth): an overloaded step is slow to drain.
    const lower = failed / (growth * growth);
    return lower < minRate ? undefined : lower;
  }
  if (failed <= best * precision) return undefined;
  return Math.sqrt(best * failed);
}
