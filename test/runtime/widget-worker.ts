/**
 * @module test/runtime/widget-worker
 * A worker process for the Widget kind, for tests that need several processes or a SIGKILL.
 * Usage: `node widget-worker.js '<json options>'`; prints `ready` when it takes jobs, drains on SIGTERM.
 */
import { LightKubeConfig } from '../../runtime/kube/kubeconfig.js';
import { Redis } from 'ioredis';
import { KindWorker } from '../../runtime/worker/kind-worker.js';
import {
  KubeClient,
  KubeRest,
  SluiceMetrics,
  createLogger,
  type BackoffPolicy,
  type RedisTarget,
} from '../../runtime/index.js';
import { WidgetProbe, widgetFunction } from './widget-function.js';

interface Options {
  /** The Redis of the queues: one server's URL, or a Sentinel or Cluster endpoint. */
  readonly redis: RedisTarget;
  /** Where the probe's observations go (one server). */
  readonly probeRedisUrl: string;
  readonly prefix: string;
  readonly kubeconfig: string;
  readonly concurrency?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
// The operator's own light loader: a child process starts without loading @kubernetes/client-node.
const kc = LightKubeConfig.fromFile(opts.kubeconfig);
const kube = new KubeClient(new KubeRest(kc));
const probe = new WidgetProbe(new Redis(opts.probeRedisUrl), opts.prefix);
const worker = new KindWorker(
  widgetFunction(probe),
  {
    kube,
    metrics: new SluiceMetrics(),
    log: createLogger({ level: 'error' }),
    events: { record: () => Promise.resolve(), flush: () => Promise.resolve() },
  },
  {
    redis: opts.redis,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 10,
    ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
    ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  },
);
worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => {
    probe.redis.disconnect();
    kube.rest.close();
    process.exit(0);
  });
});
