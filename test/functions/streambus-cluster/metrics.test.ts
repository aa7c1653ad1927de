/**
 * The seed's operator metrics (issue 13): a real worker process serving StreamBusClusters counts
 * their reconciles as `streambus_operator_reconcile_*` on its /metrics, beside the `sluice_*`
 * series and with the same counts. The alias is declared by the kind, not known to the runtime.
 */
import test from 'ava';
import {
  ConfigError,
  Enqueuer,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  declareFunction,
  refOf,
  type KubeObject,
} from '../../../runtime/index.js';
import { startWorkers } from '../../../runtime/worker/main.js';
import { streamBusClusterFunction } from '../../../functions/streambus-cluster/index.js';
import { StreamBusClusterKind } from '../../../shared/index.js';
import { adminClient, testConfig } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation, testEnv } from '../../helpers/env.js';
import { eventually, useNamespace } from '../../helpers/kube.js';
import { ensureStandardStorageClass } from '../../fixtures/streambus/fixtures.js';

/** The sum of the samples of `name` whose labels include `labels`, in a Prometheus text page. */
function sample(page: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

test('a worker serving StreamBusClusters serves streambus_operator_reconcile_* with the sluice_* counts', async (t) => {
  const { namespace, queuePrefix } = isolation('sbc-metrics');
  await Promise.all([installCrds(), ensureStandardStorageClass()]);
  await useNamespace(t, namespace);
  const running = await startWorkers(testConfig({ queuePrefix }), [streamBusClusterFunction], {
    kinds: ['streambusclusters.streambus.io'],
    httpPort: 0,
  });
  t.teardown(() => running.stop());

  const kube = adminClient();
  const make = (name: string, spec: Record<string, unknown>): Promise<KubeObject> =>
    kube.create(StreamBusClusterKind, {
      apiVersion: 'streambus.io/v1alpha1',
      kind: 'StreamBusCluster',
      metadata: { name, namespace },
      spec,
    });
  const starting = await make('counted', { replicas: 1 });
  const broken = await make('refused', { security: { tls: { enabled: true } } });
  const queues = new QueueSet({ redis: testEnv().redisUrl, prefix: queuePrefix });
  t.teardown(() => queues.close());
  const enqueuer = new Enqueuer(queues, new KindRegistry([StreamBusClusterKind]), new SluiceMetrics());
  await enqueuer.enqueue(
    [starting, broken].map((o) => ({ ref: refOf(StreamBusClusterKind, o), reason: 'cli' as const })),
  );

  const kind = { kind: 'StreamBusCluster' };
  const scrape = async (): Promise<string> =>
    (await fetch(`http://127.0.0.1:${running.httpPort ?? 0}/metrics`)).text();
  const page = await eventually(
    'both reconciles to be counted',
    async () => {
      const p = await scrape();
      const terminal = sample(p, 'streambus_operator_reconcile_total', { ...kind, result: 'terminal' });
      const requeued = sample(p, 'streambus_operator_reconcile_total', { ...kind, result: 'requeue_after' });
      return terminal >= 1 && requeued >= 1 ? p : undefined;
    },
    60_000,
  );
  t.regex(page, /# TYPE streambus_operator_reconcile_total counter/);
  t.regex(page, /# TYPE streambus_operator_reconcile_errors_total counter/);
  t.regex(page, /# TYPE streambus_operator_reconcile_duration_seconds histogram/);
  for (const result of ['success', 'error', 'terminal', 'requeue_after']) {
    t.is(
      sample(page, 'streambus_operator_reconcile_total', { ...kind, result }),
      sample(page, 'sluice_reconcile_total', { ...kind, result }),
      result,
    );
  }
  t.true(sample(page, 'streambus_operator_reconcile_errors_total', kind) >= 1, 'the InvalidSpec is an error');
  t.is(
    sample(page, 'streambus_operator_reconcile_errors_total', kind),
    sample(page, 'sluice_reconcile_errors_total', kind),
  );
  t.is(
    sample(page, 'streambus_operator_reconcile_duration_seconds_count', kind),
    sample(page, 'sluice_reconcile_duration_seconds_count', kind),
  );
  t.true(sample(page, 'streambus_operator_reconcile_duration_seconds_count', kind) >= 2);
});

test('a metrics alias must be a Prometheus name prefix other than sluice', (t) => {
  const declare = (metricsAlias: string) => () =>
    declareFunction(StreamBusClusterKind, {
      metricsAlias,
      handlers: () => import('../../../functions/streambus-cluster/handlers.js'),
    });
  t.throws(declare('sluice'), { instanceOf: ConfigError, message: /metricsAlias "sluice"/ });
  t.throws(declare('sluice_x'), { instanceOf: ConfigError });
  t.throws(declare('no spaces'), { instanceOf: ConfigError });
  t.is(declare('streambus_operator')().metricsAlias, 'streambus_operator');
});

test('a kind without an alias adds no series besides the sluice_* ones', async (t) => {
  const metrics = new SluiceMetrics();
  const before = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();
  metrics.reconcileSeries('Widget').count('success');
  const after = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();
  t.deepEqual(after, before);
  metrics.reconcileSeries('Widget', 'other_operator').count('success');
  metrics.reconcileSeries('Gadget', 'other_operator').count('success');
  const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
  t.true(names.includes('other_operator_reconcile_total'), 'one alias registers once for every kind');
});
