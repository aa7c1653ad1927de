/**
 * @module test/chaos/support/cs-dispatcher
 * A dispatcher process for ClusterStreams, for chaos tests. ClusterStreams are cluster-scoped, so
 * a namespace cannot confine a test: this dispatcher watches only the ClusterStreams carrying the
 * test's label (a prepared stream with a label selector, in the builder's stream form), so that it
 * never queues another test's objects, on a re-list after Redis lost its data included. The
 * deletion of a BrokerClaim reconciles the test's ClusterStreams waiting for it.
 * Usage: `node cs-dispatcher.js '<json options>'`; logs a `leading` marker when it leads.
 */
import { LightKubeConfig } from '../../../runtime/kube/kubeconfig.js';
import { controller } from '../../../runtime/controller/builder.js';
import { Dispatcher } from '../../../runtime/dispatcher/dispatcher.js';
import { ReflectorStore } from '../../../runtime/watch/reflector.js';
import { stripManagedFields } from '../../../runtime/watch/stream.js';
import { watcher } from '../../../runtime/watch/watcher.js';
import {
  Enqueuer,
  KindRegistry,
  KubeClient,
  KubeRest,
  QueueSet,
  SluiceMetrics,
  createLogger,
  defaultPrimaryPredicate,
  type KubeObject,
} from '../../../runtime/index.js';
import { BrokerClaimType, ClusterStreamKind, claimWaiters, noClaimChange } from '../../../shared/index.js';

/** What the test passes on the command line. */
export interface CsDispatcherOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly kubeconfig: string;
  /** Only ClusterStreams matching this label selector are watched. */
  readonly selector: string;
  /** Campaign for this Lease (several dispatchers); leads at once without it. */
  readonly lease?: { readonly namespace: string; readonly name: string; readonly identity: string };
  /** @defaultValue 500 */
  readonly checkpointMs?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as CsDispatcherOptions;
const log = createLogger({ level: 'debug', base: { component: 'dispatcher' } });
// The operator's own light loader: a child process starts without loading @kubernetes/client-node.
const kc = LightKubeConfig.fromFile(opts.kubeconfig);
const kube = new KubeClient(new KubeRest(kc));
const queues = new QueueSet({ redis: opts.redisUrl, prefix: opts.prefix });
const metrics = new SluiceMetrics();
const store = new ReflectorStore<KubeObject>();
const primaries = watcher(kube, ClusterStreamKind, { labelSelector: opts.selector })
  .defaultBackoff()
  .modify(stripManagedFields)
  .reflect(store)
  .appliedObjects()
  .predicateFilter(defaultPrimaryPredicate);
// A claim's deletion reconciles the test's ClusterStreams that wait for it, as the function's own
// watch registration does (its mapper reads the primary store, here the test's labelled one).
const waiters = claimWaiters(ClusterStreamKind);
const claims = watcher(kube, BrokerClaimType, { metadataOnly: true })
  .defaultBackoff()
  .modify(stripManagedFields)
  .touchedObjects()
  .predicateFilter(noClaimChange);
const dispatcher = new Dispatcher(
  {
    kube,
    enqueuer: new Enqueuer(queues, new KindRegistry([ClusterStreamKind]), metrics),
    redis: queues.connection,
    metrics,
    log,
  },
  [
    controller(ClusterStreamKind)
      .forStream(primaries, store)
      .watchesStream(claims, (claim) =>
        waiters(claim, { list: () => store.list(), get: (_kind, ns, n) => store.get(ns, n) }),
      )
      .build(),
  ],
  {
    prefix: opts.prefix,
    checkpointMs: opts.checkpointMs ?? 500,
    ...(opts.lease ? { leaderElection: opts.lease } : {}),
  },
);
dispatcher.start();
let announced = false;
setInterval(() => {
  if (dispatcher.isLeader && !announced) {
    announced = true;
    log.info({ chaos: 'leading' });
  }
  if (!dispatcher.isLeader) announced = false;
}, 100);
// Orphaned (the test process died without stopping it): exit rather than linger.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();
process.on('SIGTERM', () => {
  void dispatcher.stop().then(async () => {
    await queues.close();
    kube.rest.close();
    process.exit(0);
  });
});
