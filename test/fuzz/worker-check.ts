/**
 * @module test/fuzz/worker-check
 * Runs objects whose reconcile ended in a TerminalError through a real worker (BullMQ on the test
 * Redis, the kind's function, real brokers) and reports each job's final state and attempts: a
 * terminal refusal must fail its job once, with no retry.
 */
import type { ExecutionContext } from 'ava';
import { KindWorker } from '../../runtime/worker/kind-worker.js';
import {
  Enqueuer,
  KindRegistry,
  KubeEventRecorder,
  QueueSet,
  SluiceMetrics,
  createLogger,
  type ObjectRef,
} from '../../runtime/index.js';
import { createBrokerClients } from '../../shared/index.js';
import { adminClient, testConfig } from '../helpers/context.js';
import { suffix, testEnv } from '../helpers/env.js';
import { eventually } from '../helpers/kube.js';
import type { FuzzEnv, FuzzKind } from './kinds.js';

export interface JobOutcome {
  readonly name: string;
  readonly state: string;
  readonly attempts: number;
  readonly failedReason: string | undefined;
}

/** Enqueues `refs` for a worker of `kind` and waits until each job failed or completed. */
export async function terminalJobsNotRetried(
  t: ExecutionContext,
  kind: FuzzKind,
  env: FuzzEnv,
  refs: readonly ObjectRef[],
): Promise<JobOutcome[]> {
  if (refs.length === 0) return [];
  const prefix = `test-fz-${suffix()}`;
  const redisUrl = testEnv().redisUrl;
  const queues = new QueueSet({ redis: redisUrl, prefix });
  const brokers = createBrokerClients({ endpointOverrides: kind.overrides(env), idleMs: 5_000 });
  const metrics = new SluiceMetrics();
  const worker = new KindWorker(
    kind.fn,
    {
      kube: adminClient(),
      needs: {
        brokers,
        config: testConfig({ namespace: env.namespace, endpointOverrides: kind.overrides(env) }),
        metrics,
      },
      metrics,
      log: createLogger({ level: 'silent' }),
      events: new KubeEventRecorder(adminClient(), { component: 'sluice-fuzz' }),
    },
    { redis: redisUrl, prefix, backoff: { initialMs: 50, maxMs: 400, jitter: { around: 0.1 } } },
  );
  t.teardown(async () => {
    await worker.close(true);
    await queues
      .get(kind.fn.kind)
      .obliterate({ force: true })
      .catch(() => undefined);
    await queues.close();
    await brokers.close();
  });
  worker.start();
  const enqueuer = new Enqueuer(queues, new KindRegistry([kind.fn.kind]), metrics);
  const results = await enqueuer.enqueue(
    refs.map((ref) => ({ ref, reason: 'test' as const })),
    'normal',
  );
  const queue = queues.get(kind.fn.kind);
  const outcomes: JobOutcome[] = [];
  for (const [i, r] of results.entries()) {
    const name = refs[i]?.name ?? '';
    const outcome = await eventually(
      `the job of ${name} to fail or complete`,
      async () => {
        const state = await queue.getJobState(r.jobId);
        // Read after the state, so a job that finished in between is seen finished.
        const job = await queue.getJob(r.jobId);
        if (!job) return undefined;
        // A job still being retried after its first failure is reported as it stands.
        if (state === 'failed' || state === 'completed' || job.attemptsMade >= 2)
          return { name, state, attempts: job.attemptsMade, failedReason: job.failedReason };
        return undefined;
      },
      30_000,
      100,
    );
    outcomes.push(outcome);
  }
  return outcomes;
}
