/**
 * One test per field of spec.multiTenancy: quotas and isolation switches reach the broker
 * configuration; network isolation also reaches a NetworkPolicy.
 */
import test from 'ava';
import { at, build } from './build.js';

function tenancy(extra: Record<string, unknown>): Record<string, unknown> {
  return { multiTenancy: { enabled: true, ...extra } };
}

test('spec.multiTenancy.enabled adds the multi_tenancy section; disabled, nothing of it reaches the brokers', (t) => {
  t.is(at(build(tenancy({})).config, 'multi_tenancy', 'enabled'), true);
  const off = build({ multiTenancy: { enabled: false, isolation: { networkPolicies: true } } });
  t.is(at(off.config, 'multi_tenancy'), undefined);
  t.is(off.desired.networkPolicy, undefined);
});

test('spec.multiTenancy.isolation.networkPolicies creates a NetworkPolicy that keeps the Raft port to the brokers', (t) => {
  const b = build(tenancy({ isolation: { networkPolicies: true } }));
  t.is(at(b.config, 'multi_tenancy', 'network_isolation'), true);
  const np = b.desired.networkPolicy;
  t.truthy(np);
  t.is(np?.metadata.name, 'demo');
  t.deepEqual(at(np, 'spec', 'podSelector', 'matchLabels'), {
    'app.kubernetes.io/name': 'streambus-broker',
    'app.kubernetes.io/instance': 'demo',
  });
  t.deepEqual(at(np, 'spec', 'ingress', 0), {
    from: [
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'streambus-broker', 'app.kubernetes.io/instance': 'demo' },
        },
      },
    ],
    ports: [{ protocol: 'TCP', port: 7000 }],
  });
  t.deepEqual(at(np, 'spec', 'ingress', 1, 'ports'), [
    { protocol: 'TCP', port: 9092 },
    { protocol: 'TCP', port: 8081 },
    { protocol: 'TCP', port: 9093 },
  ]);
  t.is(build(tenancy({})).desired.networkPolicy, undefined);
});

test('spec.multiTenancy.isolation.resourceQuotas makes the brokers enforce the quotas', (t) => {
  t.is(
    at(build(tenancy({ isolation: { resourceQuotas: true } })).config, 'multi_tenancy', 'quotas', 'enforce'),
    true,
  );
  t.is(at(build(tenancy({})).config, 'multi_tenancy', 'quotas', 'enforce'), false);
});

test('spec.multiTenancy.isolation.rateLimiting makes the brokers enforce the rate limits', (t) => {
  t.is(
    at(
      build(tenancy({ isolation: { rateLimiting: true } })).config,
      'multi_tenancy',
      'rate_limits',
      'enforce',
    ),
    true,
  );
  t.is(at(build(tenancy({})).config, 'multi_tenancy', 'rate_limits', 'enforce'), false);
});

const quotaFields: [string, number, string, string][] = [
  ['maxTopics', 100, 'quotas', 'max_topics'],
  ['maxPartitionsPerTopic', 10, 'quotas', 'max_partitions_per_topic'],
  ['maxConnections', 1000, 'quotas', 'max_connections'],
  ['maxStorageGB', 50, 'quotas', 'max_storage_gb'],
  ['maxBandwidthMBps', 100, 'rate_limits', 'max_bandwidth_mbps'],
  ['maxMessagesPerSecond', 10000, 'rate_limits', 'max_messages_per_second'],
];

for (const [field, value, section, key] of quotaFields) {
  test(`spec.multiTenancy.defaultQuotas.${field} is the default ${section}.${key} of the broker config`, (t) => {
    const b = build(tenancy({ defaultQuotas: { [field]: value } }));
    t.is(at(b.config, 'multi_tenancy', section, 'default', key), value);
  });
}

test('spec.multiTenancy.tenantOverrides give each named tenant its quotas, over the defaults', (t) => {
  const b = build(
    tenancy({
      defaultQuotas: { maxTopics: 100, maxConnections: 1000, maxMessagesPerSecond: 10000 },
      tenantOverrides: [{ tenantId: 'premium-tenant', quotas: { maxTopics: 500, maxConnections: 5000 } }],
    }),
  );
  t.deepEqual(at(b.config, 'multi_tenancy', 'tenants'), [
    {
      id: 'premium-tenant',
      quotas: { max_topics: 500, max_connections: 5000 },
      rate_limits: { max_messages_per_second: 10000 },
    },
  ]);
});

test('a tenant id that YAML 1.1 would read as a boolean stays a string in the broker config', (t) => {
  const b = build(tenancy({ tenantOverrides: [{ tenantId: 'yes', quotas: { maxTopics: 1 } }] }));
  t.is(at(b.config, 'multi_tenancy', 'tenants', 0, 'id'), 'yes');
  t.true(b.configText.includes('id: "yes"'));
});
