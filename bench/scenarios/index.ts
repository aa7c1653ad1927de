/**
 * @module bench/scenarios
 * The scenarios `npm run bench` knows, each behind one interface: prepare (start what it needs,
 * create its objects), run (one measurement), cleanup (remove everything it created).
 */
import type { Figures, Target } from '../lib/results.js';
import { capacityScenario } from './capacity.js';
import { ceilingScenario } from './ceiling.js';
import { jetstreamScenario } from './jetstream.js';
import { kafkaScenario } from './kafka.js';
import { memoryScenario } from './memory.js';
import { restartScenario } from './restart.js';
import { queueScenario } from './queue-scenario.js';
import { freshnessScenario } from './freshness.js';
import { fairnessScenario } from './fairness.js';

export interface ScenarioOptions {
  /** Development size (a few dozen to a few hundred objects). */
  readonly small: boolean;
  /** Overrides the number of objects or jobs. */
  readonly size?: number;
  /** A checkout of NACK to build from, when the Go module proxy does not serve it. */
  readonly nackSrc?: string;
  /** Reconciles (jobs) at once per worker process (queue, jetstream-1000, kafka-10k, capacity). @defaultValue the worker host's default (capacity: 4) */
  readonly workerConcurrency?: number;
  /** What the capacity benchmark's reconcile waits before its status write (a broker round trip). @defaultValue 50 */
  readonly reconcileMs?: number;
  /** Write V8 CPU profiles of the worker processes here (queue). */
  readonly cpuProfDir?: string;
  /**
   * The `node` binary that the production processes (`sluice dispatcher`, `sluice worker`) run on,
   * to compare Node releases with the same code and driver. @defaultValue the driver's own
   */
  readonly node?: string;
}

/** A prepared scenario: its servers and objects exist until `cleanup`. */
export interface Prepared {
  run(index: number): Promise<Figures>;
  cleanup(): Promise<void>;
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
  details?(): Record<string, unknown>;
}

export interface Scenario {
  /** The required figures, first in the results file. */
  readonly order: readonly string[];
  readonly defaultRuns: number;
  prepare(opts: ScenarioOptions, say: (m: string) => void): Promise<Prepared>;
}

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  queue: queueScenario,
  'jetstream-1000': jetstreamScenario,
  'kafka-10k': kafkaScenario,
  ceiling: ceilingScenario,
  memory: memoryScenario,
  restart: restartScenario,
  freshness: freshnessScenario,
  fairness: fairnessScenario,
  capacity: capacityScenario,
};
