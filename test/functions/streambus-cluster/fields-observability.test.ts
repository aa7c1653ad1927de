/**
 * One test per field of spec.observability: metrics, tracing and logging settings reach the broker
 * configuration; serviceMonitor and interval reach the ServiceMonitor.
 */
import test from 'ava';
import { at, build } from './build.js';

function obs(section: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { observability: { [section]: fields } };
}

test('spec.observability.metrics.enabled switches the broker metrics endpoint', (t) => {
  t.like(at(build().config, 'observability', 'metrics'), { enabled: true, path: '/metrics' });
  t.deepEqual(at(build(obs('metrics', { enabled: false })).config, 'observability', 'metrics'), {
    enabled: false,
  });
});

test('spec.observability.metrics.serviceMonitor creates a ServiceMonitor for the client Service', (t) => {
  const b = build(obs('metrics', { serviceMonitor: true }));
  const sm = b.desired.serviceMonitor;
  t.is(sm?.apiVersion, 'monitoring.coreos.com/v1');
  t.is(sm?.kind, 'ServiceMonitor');
  t.is(sm?.metadata.name, 'demo');
  t.deepEqual(at(sm, 'spec', 'selector', 'matchLabels'), {
    'app.kubernetes.io/name': 'streambus-broker',
    'app.kubernetes.io/instance': 'demo',
    'app.kubernetes.io/component': 'client',
  });
  t.like(b.desired.clientService.metadata.labels, { 'app.kubernetes.io/component': 'client' });
  t.deepEqual(at(sm, 'spec', 'namespaceSelector'), { matchNames: ['prod'] });
  t.deepEqual(at(sm, 'spec', 'endpoints'), [{ port: 'http', path: '/metrics', scheme: 'http' }]);
  t.is(build().desired.serviceMonitor, undefined);
});

test('spec.observability.metrics.interval is the scrape interval of the ServiceMonitor and the config', (t) => {
  const b = build(obs('metrics', { serviceMonitor: true, interval: '30s' }));
  t.is(at(b.desired.serviceMonitor, 'spec', 'endpoints', 0, 'interval'), '30s');
  t.is(at(b.config, 'observability', 'metrics', 'interval'), '30s');
});

test('spec.observability.metrics.perTenantMetrics labels metrics per tenant in the config', (t) => {
  t.is(
    at(build(obs('metrics', { perTenantMetrics: true })).config, 'observability', 'metrics', 'per_tenant'),
    true,
  );
});

test('spec.observability.tracing.enabled adds the tracing section; disabled, none', (t) => {
  const on = build(obs('tracing', { enabled: true, endpoint: 'collector:4317' }));
  t.is(at(on.config, 'observability', 'tracing', 'enabled'), true);
  t.is(
    at(
      build(obs('tracing', { enabled: false, endpoint: 'collector:4317' })).config,
      'observability',
      'tracing',
    ),
    undefined,
  );
});

test('spec.observability.tracing.endpoint is the collector address of the config', (t) => {
  const b = build(obs('tracing', { enabled: true, endpoint: 'jaeger-collector.observability.svc:4317' }));
  t.is(at(b.config, 'observability', 'tracing', 'endpoint'), 'jaeger-collector.observability.svc:4317');
});

test('spec.observability.tracing.samplingRate is the sampling rate of the config', (t) => {
  const b = build(obs('tracing', { enabled: true, endpoint: 'c:4317', samplingRate: 0.1 }));
  t.is(at(b.config, 'observability', 'tracing', 'sampling_rate'), 0.1);
});

test('spec.observability.tracing.includeTenantId puts tenant ids on spans in the config', (t) => {
  const b = build(obs('tracing', { enabled: true, endpoint: 'c:4317', includeTenantId: true }));
  t.is(at(b.config, 'observability', 'tracing', 'include_tenant_id'), true);
});

test('spec.observability.logging.level is the log level and overrides config.logLevel', (t) => {
  const b = build({ config: { logLevel: 'info' }, observability: { logging: { level: 'warn' } } });
  t.is(at(b.config, 'observability', 'logging', 'level'), 'warn');
});

test('spec.observability.logging.format is the log format of the config', (t) => {
  t.is(at(build(obs('logging', { format: 'json' })).config, 'observability', 'logging', 'format'), 'json');
});

test('spec.observability.logging.includeTenantContext puts tenant ids on log lines in the config', (t) => {
  const b = build(obs('logging', { includeTenantContext: true }));
  t.is(at(b.config, 'observability', 'logging', 'include_tenant_context'), true);
});

test('spec.observability.logging.auditLog switches the audit log and sets its detail in the config', (t) => {
  const b = build(obs('logging', { auditLog: { enabled: true, level: 'detailed' } }));
  t.deepEqual(at(b.config, 'observability', 'logging', 'audit'), { enabled: true, level: 'detailed' });
  t.is(
    at(
      build(obs('logging', { auditLog: { enabled: false, level: 'detailed' } })).config,
      'observability',
      'logging',
      'audit',
    ),
    undefined,
  );
});
