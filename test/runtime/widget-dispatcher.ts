/**
 * @module test/runtime/widget-dispatcher
 * A dispatcher process for the Widget kind with leader election, for failover tests.
 * Usage: `node widget-dispatcher.js '<json options>'`; prints `leading` when it takes the lease.
 */
import { LightKubeConfig } from '../../runtime/kube/kubeconfig.js';
import { Redis } from 'ioredis';
import { Dispatcher } from '../../runtime/dispatcher/dispatcher.js';
import {
  Enqueuer,
  KindRegistry,
  KubeClient,
  KubeRest,
  QueueSet,
  SluiceMetrics,
  createLogger,
} from '../../runtime/index.js';
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
const queues = new QueueSet({ redis: opts.redisUrl, prefix: opts.prefix });
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
  [widgetFunction(probe).controller(kube)],
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
