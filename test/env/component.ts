/**
 * @module test/env/component
 * What every server of the environment offers to the manager.
 */
import type { EnvState } from './state.js';

export interface Component {
  /** The name used for its log, pid file and status line. */
  readonly name: string;
  /** Whether it runs and answers (cheap; used by `env:status` and to skip an `up`). */
  healthy(state: EnvState): Promise<boolean>;
  /** Starts it and waits until it is healthy; throws naming the component and its log otherwise. */
  start(state: EnvState): Promise<void>;
  /** A one-line description of where it listens, for `env:status`. */
  describe(state: EnvState): string;
}
