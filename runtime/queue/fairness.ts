/**
 * @module runtime/queue/fairness
 * Fair sharing of a queue between namespaces (tenants), on what open-source BullMQ has: priority
 * levels. The {@link Enqueuer} asks {@link FairShare.level} for the BullMQ priority of every
 * fresh (`normal`) request.
 *
 * Rule: each namespace keeps a count of the requests it sent recently, decayed exponentially
 * (half of it is forgotten every {@link FairShareOptions.halfLifeMs}). While the count is below
 * the quantum Q, a request goes unprioritized (the FIFO wait list, served first); beyond it, the
 * request waits at level `1 + floor(excess / Q)`, capped at {@link MAX_FAIR_LEVEL}.
 *
 * Guarantees:
 * 1. A namespace that sends fewer than about Q requests per half-life never waits behind another
 *    namespace's overflow: its jobs are unprioritized, the flood's overflow is not.
 * 2. Flooding namespaces interleave level by level (Q jobs of each per level, FIFO inside it).
 * 3. Nothing starves: every prioritized job ages into the wait list (`aging.ts`).
 * 4. Per-key order and one job per key are untouched: a level only orders different keys.
 *
 * Costs: one map entry per namespace seen in the last few half-lives (pruned as they decay);
 * two floating-point operations per request. In Redis, a prioritized job costs a sorted-set add
 * and pop instead of a list push and pop.
 */
import { ConfigError } from '../errors.js';

/** The highest level fairness gives; resync (low priority) stays below every level. */
export const MAX_FAIR_LEVEL = 1024;

export interface FairShareOptions {
  /** Requests a namespace may send per half-life before it is deprioritized. @defaultValue 50 */
  readonly quantum?: number;
  /** How fast a namespace's count is forgotten. @defaultValue 5000 ms */
  readonly halfLifeMs?: number;
}

interface Tally {
  count: number;
  at: number;
}

export class FairShare {
  readonly quantum: number;
  readonly halfLifeMs: number;
  private readonly tallies = new Map<string, Tally>();
  private prunedAt = 0;

  /** @throws ConfigError for a quantum below 1 or a half-life that is not positive. */
  constructor(opts: FairShareOptions = {}) {
    this.quantum = opts.quantum ?? 50;
    this.halfLifeMs = opts.halfLifeMs ?? 5000;
    if (!Number.isInteger(this.quantum) || this.quantum < 1)
      throw new ConfigError(`the fairness quantum must be a positive integer, got ${this.quantum}`);
    if (!(this.halfLifeMs > 0))
      throw new ConfigError(`the fairness half-life must be positive, got ${this.halfLifeMs}`);
  }

  /** The namespace's decayed count at `now`, before any new request. */
  count(namespace: string, now: number): number {
    const t = this.tallies.get(namespace);
    if (!t) return 0;
    return t.count * Math.pow(0.5, Math.max(0, now - t.at) / this.halfLifeMs);
  }

  /**
   * Counts one request of `namespace` at `now` and returns its BullMQ priority: 0 (unprioritized)
   * within the quantum, else `1 + floor(excess / quantum)` up to {@link MAX_FAIR_LEVEL}.
   */
  level(namespace: string, now: number): number {
    const before = this.count(namespace, now);
    this.tallies.set(namespace, { count: before + 1, at: now });
    this.prune(now);
    return levelOf(before, this.quantum);
  }

  /** Namespaces remembered (their count has not decayed below one hundredth). */
  get size(): number {
    return this.tallies.size;
  }

  private prune(now: number): void {
    if (now - this.prunedAt < this.halfLifeMs) return;
    this.prunedAt = now;
    for (const [ns] of this.tallies) if (this.count(ns, now) < 0.01) this.tallies.delete(ns);
  }
}

/** The level of a request that finds `count` recent requests of its namespace ahead of it. */
export function levelOf(count: number, quantum: number): number {
  if (count < quantum) return 0;
  return Math.min(MAX_FAIR_LEVEL, 1 + Math.floor((count - quantum) / quantum));
}
