/**
 * @module bench/proc/dispatcher
 * A dispatcher process scoped to a benchmark's own objects, so that it never queues work for the
 * objects of other people's tests on the shared API server: the ClusterStream controller built
 * with the builder's stream forms, from the ClusterStreams carrying the benchmark's label (they
 * are cluster-scoped) and, metadata-only, the binding Secrets it owns in the operator namespace,
 * each filtered by the registration's own predicates (the shipped primary predicate for its
 * finalizer, its owned-Secret predicate).
 * With `kind: 'widget'` (the capacity benchmark) it watches the test Widgets of `namespace` instead,
 * with the controller builder's default primary predicate (generation, finalizers, deletion or
 * annotations changed, so the workers' status writes enqueue nothing), and reports what its Redis
 * clients sent every 200 ms ({@link redisRequestCounts}).
 * It runs the same Dispatcher class, batcher, resync and checkpoints as `sluice dispatcher`.
 * Usage: forked with `{redisUrl, prefix, kubeconfig, namespace, labelSelector, kind?, resyncSeconds?}`;
 * sends `leading` once every watch is up.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { controller, type ControllerSpec } from '../../runtime/controller/builder.js';
import { Dispatcher } from '../../runtime/dispatcher/dispatcher.js';
import { ReflectorStore } from '../../runtime/watch/reflector.js';
import { stripManagedFields } from '../../runtime/watch/stream.js';
import { metadataWatcher, watcher } from '../../runtime/watch/watcher.js';
import { clusterStreamFunction } from '../../functions/cluster-stream/index.js';
import {
  Builtin,
  Enqueuer,
  KindRegistry,
  KubeClient,
  KubeRest,
  QueueSet,
  SluiceMetrics,
  createLogger,
  resourceVersionChanged,
  type KubeObject,
} from '../../runtime/index.js';
import { ClusterStreamKind } from '../../shared/index.js';
import { WidgetKind } from '../../test/runtime/widget-function.js';
import { countRedisRequests, redisRequestCounts } from '../lib/redis-requests.js';

interface Options {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly labelSelector?: string;
  /** What to watch. @defaultValue `cluster-stream` */
  readonly kind?: 'cluster-stream' | 'widget';
  /** Period of the full resync. @defaultValue the dispatcher's (600 s) */
  readonly resyncSeconds?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
if (opts.kind === 'widget') countRedisRequests();
const kc = new KubeConfig();
kc.loadFromFile(opts.kubeconfig);
const kube = new KubeClient(new KubeRest(kc));

function clusterStreamSpec(): ControllerSpec {
  // The shipped controller's filters, on watches narrowed to the benchmark's objects.
  const shipped = clusterStreamFunction.controller(kube);
  const owned = shipped.owns.find((o) => o.kind === Builtin.Secret)?.predicate ?? resourceVersionChanged;
  const store = new ReflectorStore<KubeObject>();
  const primary = watcher(kube, ClusterStreamKind, {
    ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
  })
    .modify(stripManagedFields)
    .reflect(store)
    .touchedObjects()
    .predicateFilter(shipped.predicate);
  const secrets = metadataWatcher(kube, Builtin.Secret, { namespace: opts.namespace })
    .touchedObjects()
    .predicateFilter(owned);
  return controller(ClusterStreamKind).forStream(primary, store).ownsStream(secrets).build();
}

const kind = opts.kind === 'widget' ? WidgetKind : ClusterStreamKind;
// The Widget controller watches its primary kind only, in the dispatcher's namespace.
const spec = opts.kind === 'widget' ? controller(WidgetKind).build() : clusterStreamSpec();
const queues = new QueueSet({ redis: opts.redisUrl, prefix: opts.prefix });
const metrics = new SluiceMetrics();
const dispatcher = new Dispatcher(
  {
    kube,
    enqueuer: new Enqueuer(queues, new KindRegistry([kind]), metrics),
    redis: queues.connection,
    metrics,
    log: createLogger({ level: 'warn', base: { component: 'bench-dispatcher' } }),
  },
  [spec],
  {
    prefix: opts.prefix,
    namespace: opts.namespace,
    ...(opts.resyncSeconds === undefined ? {} : { resyncSeconds: opts.resyncSeconds }),
  },
);
dispatcher.start();

const announce = setInterval(() => {
  const h = dispatcher.health();
  if (h.leader && h.sources.every((s) => s.state === 'watching')) {
    process.send?.({ type: 'leading' });
    clearInterval(announce);
  }
}, 50);

const counts =
  opts.kind === 'widget'
    ? setInterval(() => process.send?.({ type: 'progress', ...redisRequestCounts() }), 200)
    : undefined;

process.on('SIGTERM', () => {
  clearInterval(counts);
  void dispatcher
    .stop()
    .then(() => queues.close())
    .then(() => {
      kube.rest.close();
      process.exit(0);
    });
});
