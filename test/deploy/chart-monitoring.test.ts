/**
 * The chart's monitoring, rendered by the real `helm`: the ServiceMonitor reaches the dispatcher's
 * and the workers' /metrics, and the Grafana dashboard queries exactly the metrics Sluice exports.
 */
import test from 'ava';
import { SluiceMetrics, isRecord } from '../../runtime/index.js';
import { buildHelm } from '../env/build-helm.js';
import { pick, renderObjects } from './chart.js';

test.before('helm is built from the Go module proxy (once, into the build cache)', async (t) => {
  t.timeout(10 * 60_000);
  await buildHelm();
});

test('the ServiceMonitor scrapes /metrics of the dispatcher and of the workers through their Services', async (t) => {
  const objects = await renderObjects({ serviceMonitor: { enabled: true, labels: { release: 'prom' } } });
  const sm = pick(objects, 'ServiceMonitor', 'sluice');
  t.is(sm.apiVersion, 'monitoring.coreos.com/v1');
  t.is(sm.metadata.labels?.release, 'prom');
  const spec = isRecord(sm.spec) ? sm.spec : {};
  const selector = isRecord(spec.selector) ? spec.selector : {};
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  t.deepEqual(selector.matchExpressions, [
    { key: 'app.kubernetes.io/component', operator: 'In', values: ['dispatcher', 'worker'] },
  ]);
  for (const name of ['sluice-dispatcher', 'sluice-workers']) {
    const svc = pick(objects, 'Service', name);
    for (const [k, v] of Object.entries(matchLabels))
      t.is(svc.metadata.labels?.[k], String(v), `${name} carries ${k}`);
    t.like(svc.spec, { ports: [{ name: 'http', targetPort: 'http' }] });
  }
  t.like(pick(objects, 'Service', 'sluice-workers').spec, { clusterIP: 'None' });
  t.like(spec, { endpoints: [{ port: 'http', path: '/metrics' }] });
  t.false(
    (await renderObjects()).some((o) => o.kind === 'ServiceMonitor'),
    'off by default (it needs its CRD)',
  );
});

test('the Grafana dashboard is a labelled ConfigMap whose queries use every sluice_* metric and no other', async (t) => {
  const objects = await renderObjects();
  const cm = pick(objects, 'ConfigMap', 'sluice-dashboard');
  t.is(cm.metadata.labels?.grafana_dashboard, '1');
  const json = isRecord(cm.data) ? String(cm.data['sluice.json']) : '';
  const dashboard = JSON.parse(json) as { panels: { targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((q) => q.expr);
  const used = new Set(
    exprs
      .flatMap((e) => e.match(/sluice_[a-z0-9_]+/g) ?? [])
      .map((n) => n.replace(/_(bucket|sum|count)$/, '')),
  );
  const exported = new Set(
    (await new SluiceMetrics().withProcessMetrics().registry.getMetricsAsJSON()).map((m) => m.name),
  );
  for (const name of used) t.true(exported.has(name), `${name} is not exported by Sluice`);
  for (const name of exported) {
    if (!name.startsWith('sluice_process_')) t.true(used.has(name), `${name} has no panel`);
  }
});
