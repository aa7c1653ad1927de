/**
 * @module bench/proc/capacity-worker
 * A worker process of the capacity benchmark: the worker host's {@link KindWorker} (the whole host
 * path: payload validation, the read of the object from the API server, the reconcile, outcome
 * mapping, history) running the Widget reconciler of `bench/lib/capacity-kind.ts`, with the
 * host's default lease settings (30 s lock, stalled jobs looked for every 15 s).
 *
 * Each job and run is appended to `recordFile` with a synchronous write (see
 * `bench/lib/capacity-records.ts`), so what happened before a SIGKILL is on disk. Every 200 ms it
 * reports to its parent what its Redis clients sent ({@link redisRequestCounts}).
 * Usage: forked with `{redis, prefix, kubeconfig, concurrency, reconcileMs, recordFile}`.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Job, Worker } from 'bullmq';
import { LightKubeConfig } from '../../runtime/kube/kubeconfig.js';
import { KindWorker } from '../../runtime/worker/kind-worker.js';
import { KubeClient, KubeRest, jobKey, parseJobData } from '../../runtime/index.js';
import { capacityFunction } from '../lib/capacity-kind.js';
import { benchHostDeps } from '../lib/noop-kind.js';
import { recordLine } from '../lib/capacity-records.js';
import { countRedisRequests, redisRequestCounts } from '../lib/redis-requests.js';

interface Options {
  readonly redis: string;
  readonly prefix: string;
  readonly kubeconfig: string;
  readonly concurrency: number;
  readonly reconcileMs: number;
  readonly recordFile: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
countRedisRequests();
const now = (): number => performance.timeOrigin + performance.now();
const fd = openSync(opts.recordFile, 'a');
const write = (line: string): void => {
  writeSync(fd, line);
};
const kube = new KubeClient(new KubeRest(LightKubeConfig.fromFile(opts.kubeconfig)));
const fn = capacityFunction(opts.reconcileMs, (phase, key, generation) =>
  write(recordLine(phase === 'start' ? 'S' : 'E', key, generation, now())),
);
const worker = new KindWorker(fn, benchHostDeps(kube), {
  redis: opts.redis,
  prefix: opts.prefix,
  concurrency: opts.concurrency,
});
worker.start();

/** The job's object key as the reconciler names it (`jobKey` of its reference). */
function keyOf(job: Job): string {
  try {
    return jobKey(parseJobData(job.data).ref);
  } catch {
    return `invalid-job-${job.id ?? ''}`;
  }
}

// The host has no job hooks: its BullMQ worker's own events say when a job starts and ends.
const inner = (worker as unknown as { worker?: Worker }).worker;
inner?.on('active', (job: Job) => {
  const enqueuedAt = (job.data as { enqueuedAt?: number }).enqueuedAt ?? 0;
  write(recordLine('A', keyOf(job), enqueuedAt, now()));
});
inner?.on('completed', (job: Job) => write(recordLine('C', keyOf(job), now())));
inner?.on('failed', (job: Job | undefined) => {
  if (job) write(recordLine('F', keyOf(job), now()));
});

const timer = setInterval(() => process.send?.({ type: 'progress', ...redisRequestCounts() }), 200);
process.send?.({ type: 'ready' });
process.on('SIGTERM', () => {
  clearInterval(timer);
  void worker.close().then(() => {
    process.send?.({ type: 'progress', ...redisRequestCounts() });
    closeSync(fd);
    kube.rest.close();
    process.exit(0);
  });
});
