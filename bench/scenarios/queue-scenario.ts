/**
 * @module bench/scenarios/queue-scenario
 * The `queue` scenario behind the common interface (see `queue.ts` for what it measures).
 */
import type { Scenario } from './index.js';
import {
  QUEUE_FULL,
  QUEUE_ORDER,
  QUEUE_SMALL,
  QUEUE_TARGETS,
  queueNotes,
  redisCommandsPerJob,
  runQueue,
} from './queue.js';
import { kindPrimaries } from './queue-kinds.js';

export const queueScenario: Scenario = {
  order: QUEUE_ORDER,
  defaultRuns: 3,
  prepare(opts, say) {
    const base = opts.small ? QUEUE_SMALL : QUEUE_FULL;
    const sized = {
      ...base,
      ...(opts.size === undefined ? {} : { jobs: opts.size }),
      ...(opts.workerConcurrency === undefined ? {} : { concurrency: opts.workerConcurrency }),
      ...(opts.cpuProfDir ? { cpuProfDir: opts.cpuProfDir } : {}),
    };
    return Promise.resolve({
      run: (i: number) => runQueue(sized, say, i),
      cleanup: () => Promise.resolve(),
      targets: QUEUE_TARGETS,
      notes: queueNotes(sized) ?? [],
      details: () => ({
        ...sized,
        redis_commands_per_job: redisCommandsPerJob,
        kind_primaries: kindPrimaries,
      }),
    });
  },
};
