/**
 * @module bench/proc/dispatcher
 * A dispatcher process scoped to a benchmark's own objects, so that it never queues work for the
 * objects of other people's tests on the shared API server:
 * - `tawon-stream`: the Tawon Stream controller as registered, its watches limited to one namespace;
 * - `tawon-stream-proto`: the same with the prototype predicate of `bench/proto/predicates`;
 * - `cluster-stream`: the ClusterStream controller built with the builder's stream forms: the
 *   ClusterStreams carrying the benchmark's label (they are cluster-scoped) and, metadata-only, the
 *   binding Secrets it owns in the operator namespace.
 * It runs the same Dispatcher class, batcher, resync and checkpoints as `sluice dispatcher`.
 * Usage: forked with `{mode, redisUrl, prefix, kubeconfig, namespace, labelSelector}`; sends
 * `leading` once every watch is up.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { controller, controllerFor, type ControllerSpec } from '../../dispatcher/controller.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { ReflectorStore } from '../../dispatcher/watch/reflector.js';
import { stripManagedFields } from '../../dispatcher/watch/stream.js';
import { metadataWatcher, watcher } from '../../dispatcher/watch/watcher.js';
import { STREAM_FINALIZER, tawonStreamFunction } from '../../functions/tawon-stream/index.js';
import { primaryPredicateFor } from '../proto/predicates.js';
import {
  Builtin,
  ClusterStreamKind,
  Enqueuer,
  KindRegistry,
  KubeClient,
  KubeRest,
  QueueSet,
  SluiceMetrics,
  TawonStreamKind,
  createLogger,
  defaultPrimaryPredicate,
  type KindInfo,
  type KubeObject,
} from '../../shared/index.js';

interface Options {
  readonly mode: 'tawon-stream' | 'tawon-stream-proto' | 'cluster-stream';
  readonly redisUrl: string;
  readonly prefix: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly labelSelector?: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const kc = new KubeConfig();
kc.loadFromFile(opts.kubeconfig);
const kube = new KubeClient(new KubeRest(kc));

function clusterStreamSpec(): ControllerSpec {
  const store = new ReflectorStore<KubeObject>();
  const primary = watcher(kube, ClusterStreamKind, {
    ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
  })
    .modify(stripManagedFields)
    .reflect(store)
    .touchedObjects()
    .predicateFilter(defaultPrimaryPredicate);
  const secrets = metadataWatcher(kube, Builtin.Secret, { namespace: opts.namespace }).touchedObjects();
  return controller(ClusterStreamKind).forStream(primary, store).ownsStream(secrets).build();
}

/** The Tawon Stream controller with the prototype predicate of bench/proto/predicates. */
function tawonProtoSpec(): ControllerSpec {
  const b = controller(TawonStreamKind).withPredicate(primaryPredicateFor(STREAM_FINALIZER));
  for (const w of tawonStreamFunction.watch.watches ?? [])
    b.watches(w.kind, w.mapper, w.predicate ? { predicate: w.predicate } : {});
  return b.build();
}

const kind: KindInfo = opts.mode === 'cluster-stream' ? ClusterStreamKind : TawonStreamKind;
const spec =
  opts.mode === 'tawon-stream'
    ? controllerFor(tawonStreamFunction)
    : opts.mode === 'tawon-stream-proto'
      ? tawonProtoSpec()
      : clusterStreamSpec();
const queues = new QueueSet({ redisUrl: opts.redisUrl, prefix: opts.prefix });
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
  { prefix: opts.prefix, namespace: opts.namespace },
);
dispatcher.start();

const announce = setInterval(() => {
  const h = dispatcher.health();
  if (h.leader && h.sources.every((s) => s.state === 'watching')) {
    process.send?.({ type: 'leading' });
    clearInterval(announce);
  }
}, 50);

process.on('SIGTERM', () => {
  void dispatcher
    .stop()
    .then(() => queues.close())
    .then(() => {
      kube.rest.close();
      process.exit(0);
    });
});
