/**
 * @module test/stress/stress
 * The multi-process stress test of the queue contract: worker processes reconcile Widgets while a
 * driver fires events at random keys, reconciles fail and requeue at random, workers are
 * SIGKILLed and replaced, and the queues' Redis is restarted empty mid-run (the dispatcher
 * notices and re-enqueues everything it knows). Then an independent check, from observations the
 * reconciler wrote to another Redis:
 * - overlaps: reconciles of one key that ran at the same time (killed processes excepted);
 * - lost: keys whose last successful reconcile did not see the key's last state.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { Builtin, createLogger, type ObjectRef } from '../../runtime/index.js';
import { Dispatcher } from '../../runtime/dispatcher/dispatcher.js';
import { startPrivateRedis } from '../env/private-redis.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from '../runtime/harness.js';
import { widgetFunction } from '../runtime/widget-function.js';

export interface StressOptions {
  /** @defaultValue 4 */
  readonly workers: number;
  /** Reconciles at once per worker process. @defaultValue 20 */
  readonly concurrency: number;
  /** @defaultValue 20000 */
  readonly events: number;
  /** @defaultValue 50 */
  readonly keys: number;
  /** Share of reconciles that fail. @defaultValue 0.1 */
  readonly failRate: number;
  /** Share of reconciles that ask for requeueAfter(50 ms). @defaultValue 0.05 */
  readonly requeueRate: number;
  /** @defaultValue 2 */
  readonly kills: number;
  /** @defaultValue 1 */
  readonly redisRestarts: number;
}

export const FULL: StressOptions = {
  workers: 4,
  concurrency: 20,
  events: 20_000,
  keys: 50,
  failRate: 0.1,
  requeueRate: 0.05,
  kills: 2,
  redisRestarts: 1,
};

export interface StressReport {
  readonly events: number;
  readonly keys: number;
  readonly workers: number;
  readonly kills: number;
  readonly redisRestarts: number;
  readonly reconciles: number;
  readonly overlaps: number;
  readonly lost: number;
  readonly seconds: number;
}

export function formatReport(r: StressReport): string {
  return `events=${r.events} keys=${r.keys} workers=${r.workers} kills=${r.kills} redis_restarts=${r.redisRestarts} reconciles=${r.reconciles} seconds=${r.seconds.toFixed(1)} overlaps=${r.overlaps} lost=${r.lost}`;
}

export async function runStress(
  opts: StressOptions,
  say: (m: string) => void = () => undefined,
): Promise<StressReport> {
  const t0 = Date.now();
  await installTestCrds();
  const iso = isolation('stress');
  const kube = adminClient();
  await kube.create(Builtin.Namespace, {
    metadata: { name: iso.namespace, labels: { 'sluice.io/test': 'true' } },
  });
  const redis = await startPrivateRedis();
  const rig = new RuntimeRig(iso.queuePrefix, redis.url);
  const workers: ChildProcess[] = [];
  const dispatcher = new Dispatcher(
    {
      kube,
      enqueuer: rig.enqueuer,
      redis: rig.queues.connection,
      metrics: rig.metrics,
      log: createLogger({ level: 'silent' }),
    },
    [widgetFunction(rig.probe).controller(adminClient())],
    { prefix: rig.prefix, namespace: iso.namespace, checkpointMs: 500 },
  );
  try {
    const refs = await createWidgets(iso.namespace, opts.keys);
    await rig.probe.setBehavior('*', {
      failRandom: opts.failRate,
      requeueRandom: opts.requeueRate,
      requeueMs: 50,
    });
    const workerOpts = {
      concurrency: opts.concurrency,
      lockDurationMs: 8000,
      stalledIntervalMs: 2000,
      backoff: { initialMs: 5, maxMs: 500, jitter: { around: 0.2 } },
    };
    for (let i = 0; i < opts.workers; i++) workers.push(await rig.spawnWorker(workerOpts));
    dispatcher.start();
    say(`${opts.workers} workers, ${opts.keys} keys; firing ${opts.events} events`);

    const killAt = new Set(
      Array.from({ length: opts.kills }, (_, i) => Math.floor((opts.events * (i + 1)) / (opts.kills + 1.5))),
    );
    const restartAt = new Set(
      Array.from({ length: opts.redisRestarts }, (_, i) =>
        Math.floor((opts.events * (i + 1.4)) / (opts.redisRestarts + 1.5)),
      ),
    );
    const chunk = 50;
    for (let sent = 0; sent < opts.events; sent += chunk) {
      const batch: ObjectRef[] = [];
      for (let i = 0; i < chunk && sent + i < opts.events; i++) {
        const ref = refs[Math.floor(Math.random() * refs.length)];
        if (!ref) continue;
        await rig.probe.bump(keyOf(ref));
        batch.push(ref);
      }
      for (;;) {
        try {
          await rig.enqueue(batch);
          break;
        } catch {
          await sleep(100);
        }
      }
      for (let i = sent; i < sent + chunk; i++) {
        if (killAt.has(i)) {
          const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
          if (victim?.pid) {
            await rig.probe.killed(victim.pid);
            victim.kill('SIGKILL');
            say(`killed worker ${victim.pid} at event ${i}`);
          }
          workers.push(await rig.spawnWorker(workerOpts));
        }
        if (restartAt.has(i)) {
          await redis.restartEmpty();
          say(`restarted Redis empty at event ${i}`);
        }
      }
    }
    say('events sent; letting the queue settle');
    await rig.probe.setBehavior('*', {});
    const deadline = Date.now() + 180_000;
    let lost = opts.keys;
    while (Date.now() < deadline) {
      const behind = await Promise.all(
        refs.map(async (r) => (await rig.probe.observed(keyOf(r))) !== (await rig.probe.gen(keyOf(r)))),
      );
      lost = behind.filter(Boolean).length;
      if (lost === 0) break;
      await sleep(500);
    }
    return {
      events: opts.events,
      keys: opts.keys,
      workers: opts.workers,
      kills: opts.kills,
      redisRestarts: opts.redisRestarts,
      reconciles: await rig.probe.totalRuns(),
      overlaps: await rig.probe.overlaps(),
      lost,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await dispatcher.stop();
    await rig.close();
    await redis.stop();
    await kube.delete(Builtin.Namespace, undefined, iso.namespace).catch(() => false);
  }
}
