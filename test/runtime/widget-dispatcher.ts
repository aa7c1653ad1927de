/**
 * @module test/runtime/widget-dispatcher
 * A dispatcher process for the Widget kind with leader election, for failover tests.
 * Usage: `node widget-dispatcher.js '<json options>'`; prints `leading` when it takes the lease.
 */
import { LightKubeConfig } from '../../shared/kube/kubeconfig.js';
import { Redis } from 'ioredis';
import { controllerFor } from '../../dispatcher/controller.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import {
  Enqueuer,
  KindRegistry,
  KubeClient,
  KubeRest,
  QueueSet,
  SluiceMetrics,
  createLogger,
} from '../../shared/index.js';
import { WidgetKind, WidgetProbe, widgetFunction } from './widget-function.js';

interface Options {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
// The operator's own light loader: a child process starts without loading @kubernetes/client-node.
const kc = LightKubeConfig.fromFile(opts.kubeconfig);
const kube = new KubeClient(new KubeRest(kc));
const queues = new QueueSet({ redisUrl: opts.redisUrl, prefix: opts.prefix });
const metrics = new SluiceMetrics();
const probe = new WidgetProbe(new Redis(opts.redisUrl), opts.prefix);
const dispatcher = new Dispatcher(
  {
    kube,
    enqueuer: new Enqueuer(queues, new KindRegistry([WidgetKind]), metrics),
    redis: queues.connection,
    metrics,
    log: createLogger({ level: 'error' }),
  },
  [controllerFor(widgetFunction(probe))],
  {
    prefix: opts.prefix,
    namespace: opts.namespace,
    checkpointMs: 500,
    leaderElection: { namespace: opts.namespace, name: opts.leaseName, identity: opts.identity },
  },
);
dispatcher.start();
const announce = setInterval(() => {
  if (dispatcher.isLeader) {
    process.stdout.write('leading\n');
    clearInterval(announce);
  }
}, 100);
process.on('SIGTERM', () => {
  void dispatcher.stop().then(() => process.exit(0));
});
