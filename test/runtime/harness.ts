/**
 * @module test/runtime/harness
 * Building blocks for the runtime's tests: the Widget CRDs, Widgets in a namespace, worker
 * processes (spawned, so they can be SIGKILLed), in-process workers, and an enqueuer — all bound
 * to one test's queue prefix so tests run side by side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { ExecutionContext } from 'ava';
import type { RedisTarget } from '../../runtime/redis/connection.js';
import { Dispatcher, type DispatcherOptions } from '../../runtime/dispatcher/dispatcher.js';
import { KindWorker, type KindWorkerOptions } from '../../runtime/worker/kind-worker.js';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  createLogger,
  environment,
  jobKey,
  refOf,
  type FunctionDeclaration,
  type KubeObject,
  type ObjectRef,
} from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { testEnv } from '../helpers/env.js';
import { eventually, kubectl } from '../helpers/kube.js';
import { repoRoot } from '../env/paths.js';
import { WidgetKind, WidgetProbe, widgetFunction } from './widget-function.js';

let crdsInstalled: Promise<void> | undefined;

/** Installs the Widget and Gadget CRDs once per process and waits until they are served. */
export function installTestCrds(): Promise<void> {
  crdsInstalled ??= (async () => {
    await kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      path.join(repoRoot, 'test', 'fixtures', 'crds'),
    ]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/widgets.test.sluice.io',
      'crd/gadgets.test.sluice.io',
    ]);
    await eventually('widgets to be served', async () => {
      await adminClient().list(WidgetKind, 'default', { limit: 1 });
      return true;
    });
  })();
  return crdsInstalled;
}

/** Creates `count` Widgets named `w-0`… in `namespace`; returns their references. */
export async function createWidgets(namespace: string, count: number, prefix = 'w'): Promise<ObjectRef[]> {
  const kube = adminClient();
  const refs: ObjectRef[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, (_, j) =>
        kube.create<KubeObject>(WidgetKind, {
          metadata: { name: `${prefix}-${i + j}`, namespace },
          spec: { size: i + j },
        }),
      ),
    );
    refs.push(...batch.map((o) => refOf(WidgetKind, o)));
  }
  return refs;
}

export const keyOf = (ref: ObjectRef): string => jobKey(ref);

/** Everything one runtime test needs, cleaned up by `close()` (registered as a teardown). */
export class RuntimeRig {
  readonly redis: Redis;
  readonly probe: WidgetProbe;
  readonly queues: QueueSet;
  readonly enqueuer: Enqueuer;
  readonly metrics = new SluiceMetrics();
  private readonly workers: KindWorker[] = [];
  private readonly children: ChildProcess[] = [];

  /**
   * The Redis of the queues: the environment's, a test's own (see `startPrivateRedis`), or a
   * Sentinel group or Cluster (see `test/env/redis-topologies.ts`).
   */
  readonly queueRedis: RedisTarget;

  /** The probe's observations always go to the environment's Redis, so they survive a restart of the queue's. */
  constructor(
    readonly prefix: string,
    queueRedis?: RedisTarget,
  ) {
    const env = testEnv();
    this.queueRedis = queueRedis ?? env.redisUrl;
    this.redis = new Redis(env.redisUrl);
    this.probe = new WidgetProbe(this.redis, prefix);
    this.queues = new QueueSet({ redis: this.queueRedis, prefix });
    this.enqueuer = new Enqueuer(this.queues, new KindRegistry([WidgetKind]), this.metrics);
  }

  static create(t: ExecutionContext, prefix: string, queueRedis?: RedisTarget): RuntimeRig {
    const rig = new RuntimeRig(prefix, queueRedis);
    t.teardown(() => rig.close());
    return rig;
  }

  get queue() {
    return this.queues.get(WidgetKind);
  }

  /** A worker in this process (of the plain Widget function unless `fn` is given). */
  worker(opts: Partial<KindWorkerOptions> = {}, fn?: FunctionDeclaration): KindWorker {
    const w = new KindWorker(
      fn ?? widgetFunction(this.probe),
      {
        kube: adminClient(),
        metrics: this.metrics,
        log: createLogger({ level: 'silent' }),
        events: { record: () => Promise.resolve(), flush: () => Promise.resolve() },
      },
      { redis: this.queueRedis, prefix: this.prefix, ...opts },
    );
    w.start();
    this.workers.push(w);
    return w;
  }

  /** A worker in its own process; resolves once it takes jobs. */
  async spawnWorker(opts: Partial<KindWorkerOptions> = {}): Promise<ChildProcess> {
    const env = testEnv();
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'widget-worker.js');
    const child = spawn(
      process.execPath,
      [
        script,
        JSON.stringify({
          redis: this.queueRedis,
          probeRedisUrl: env.redisUrl,
          prefix: this.prefix,
          kubeconfig: env.kubeconfig,
          ...opts,
        }),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...environment() },
      },
    );
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
    });
    return child;
  }

  async enqueue(refs: readonly ObjectRef[], priority: 'high' | 'normal' | 'low' = 'normal'): Promise<void> {
    await this.enqueuer.enqueue(
      refs.map((ref) => ({ ref, reason: 'test' as const })),
      priority,
    );
  }

  /** Waits until no job is waiting, delayed, prioritized or active. */
  async drained(timeoutMs = 60_000): Promise<void> {
    await eventually(
      'the queue to drain',
      async () => {
        const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(c).every((n) => n === 0);
      },
      timeoutMs,
      100,
    );
  }

  async close(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.close(true)));
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queues.close();
    const keys = await this.redis.keys(`${this.prefix}:*`);
    if (keys.length > 0) await this.redis.del(...keys);
    this.redis.disconnect();
  }
}

/** A dispatcher for the Widget controller, watching one namespace, stopped at teardown. */
export function startWidgetDispatcher(
  t: ExecutionContext,
  rig: RuntimeRig,
  namespace: string,
  opts: Partial<DispatcherOptions> = {},
  fn?: FunctionDeclaration,
): Dispatcher {
  const d = new Dispatcher(
    {
      kube: adminClient(),
      enqueuer: rig.enqueuer,
      redis: rig.queues.connection,
      metrics: rig.metrics,
      log: createLogger({ level: 'silent' }),
    },
    [(fn ?? widgetFunction(rig.probe)).controller(adminClient())],
    { prefix: rig.prefix, namespace, checkpointMs: 500, resyncSeconds: 86_400, ...opts },
  );
  d.start();
  t.teardown(() => d.stop());
  return d;
}

/**
 * Waits until everything the dispatcher has seen so far has been acted on, so that a test can
 * assert that nothing more ran without sleeping: the watches are established (a resumed start's
 * list is in), a sentinel Widget created now has been reconciled, and the queue holds no job. The
 * watch delivers events in resourceVersion order and the dispatcher enqueues them in that order,
 * so an event before the sentinel's was enqueued no later than the sentinel's job; with the queue
 * empty, its reconcile (if the event was let through) has run.
 * @returns the sentinel, whose reconciles count in the probe's totals.
 */
export async function settled(
  rig: RuntimeRig,
  dispatcher: Dispatcher,
  namespace: string,
): Promise<ObjectRef> {
  await eventually('the watches to be established', () =>
    Promise.resolve(dispatcher.health().sources.every((s) => s.state === 'watching')),
  );
  const [sentinel] = await createWidgets(namespace, 1, `sentinel-${Date.now().toString(36)}`);
  if (!sentinel) throw new Error('no sentinel');
  await eventually('the sentinel to be reconciled', async () => (await rig.probe.runs(keyOf(sentinel))) >= 1);
  await eventually('the queue to be empty', async () => {
    const counts = await rig.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    return Object.values(counts).every((n) => n === 0);
  });
  return sentinel;
}
