/**
 * Unit tests of spec parsing: defaults for absent fields, and the cross-field rules whose
 * violation is a TerminalError `InvalidSpec` naming every problem.
 */
import test from 'ava';
import { TerminalError } from '../../../runtime/index.js';
import { asCluster, parseSpec } from '../../../functions/streambus-cluster/parse.js';
import { seedSpec } from '../../fixtures/streambus/fixtures.js';

function problem(raw: Record<string, unknown>, name = 'demo'): string {
  try {
    parseSpec(raw, name);
  } catch (err) {
    if (err instanceof TerminalError && err.reason === 'InvalidSpec') return err.message;
    throw err;
  }
  return '';
}

test('an absent spec parses to the documented defaults', (t) => {
  const spec = parseSpec(undefined, 'demo');
  t.is(spec.replicas, 3);
  t.is(spec.image.repository, 'streambus/broker');
  t.is(spec.image.tag, 'latest');
  t.is(spec.storage.size, '10Gi');
  t.is(spec.storage.raftSize, '5Gi');
  t.is(spec.storage.class, 'standard');
  t.deepEqual([spec.config.port, spec.config.httpPort, spec.config.grpcPort], [9092, 8081, 9093]);
  t.true(spec.observability.metrics.enabled);
  t.false(spec.observability.metrics.serviceMonitor);
});

test('every seed example parses', (t) => {
  for (const example of [
    'architecture',
    'basic',
    'high-availability',
    'multi-tenancy',
    'observability',
    'security',
    'servicemonitor',
    'upgrade',
  ] as const) {
    t.notThrows(() => parseSpec(seedSpec(example), 'my-cluster'), example);
  }
});

test('a field of the wrong type is an InvalidSpec naming the field', (t) => {
  t.regex(problem({ replicas: 'three' }), /spec\.replicas/);
  t.regex(problem({ storage: { size: 'ten' } }), /spec\.storage\.size/);
  t.regex(problem({ nodeSelector: { a: 1 } }), /spec\.nodeSelector/);
  t.regex(problem({ resources: { limits: { cpu: 'lots' } } }), /spec\.resources\.limits/);
  t.regex(problem({ observability: { metrics: { interval: '30 seconds' } } }), /interval/);
});

test('sizes and resources are Kubernetes quantities, read by the runtime parser', (t) => {
  t.is(problem({ storage: { size: '4.1G', raftSize: '+512Mi' }, resources: { limits: { cpu: '1.5' } } }), '');
  t.regex(problem({ storage: { size: '1e1.5' } }), /spec\.storage\.size: must be a Kubernetes quantity/);
  t.regex(problem({ storage: { raftSize: '1K' } }), /spec\.storage\.raftSize/);
  t.regex(problem({ resources: { requests: { memory: '1e1.5Gi' } } }), /spec\.resources\.requests/);
});

test('TLS without a certificate Secret is an InvalidSpec', (t) => {
  t.regex(problem({ security: { tls: { enabled: true } } }), /certSecretName/);
});

test('mtls without TLS is an InvalidSpec', (t) => {
  t.regex(
    problem({ security: { authentication: { enabled: true, method: 'mtls' } } }),
    /mtls needs spec\.security\.tls\.enabled/,
  );
});

test('an authentication method outside allowedMethods is an InvalidSpec', (t) => {
  t.regex(
    problem({ security: { authentication: { enabled: true, method: 'jwt', allowedMethods: ['mtls'] } } }),
    /not in allowedMethods/,
  );
});

test('authentication without any method is an InvalidSpec', (t) => {
  t.regex(problem({ security: { authentication: { enabled: true } } }), /needs a method/);
});

test('tracing without an endpoint is an InvalidSpec', (t) => {
  t.regex(problem({ observability: { tracing: { enabled: true } } }), /tracing\.endpoint/);
});

test('a ServiceMonitor with metrics disabled is an InvalidSpec', (t) => {
  t.regex(
    problem({ observability: { metrics: { enabled: false, serviceMonitor: true } } }),
    /serviceMonitor needs/,
  );
});

test('colliding ports, including the Raft port, are an InvalidSpec', (t) => {
  t.regex(problem({ config: { httpPort: 9092 } }), /config\.port and spec\.config\.httpPort are both 9092/);
  t.regex(problem({ config: { grpcPort: 7000 } }), /grpcPort and the Raft port are both 7000/);
});

test('podLabels that change the selector labels, or the reserved hash annotation, are an InvalidSpec', (t) => {
  t.regex(
    problem({ podLabels: { 'app.kubernetes.io/name': 'other' } }),
    /podLabels\.app\.kubernetes\.io\/name/,
  );
  t.is(problem({ podLabels: { 'app.kubernetes.io/name': 'streambus-broker' } }), '');
  t.regex(problem({ podAnnotations: { 'sluice.io/config-hash': 'x' } }), /reserved/);
});

test('a name that cannot name the StatefulSet and Services is an InvalidSpec', (t) => {
  t.regex(problem({}, 'a'.repeat(53)), /metadata\.name/);
  t.regex(problem({}, '1cluster'), /metadata\.name/);
  t.is(problem({}, 'a'.repeat(52)), '');
});

test('a tenant named twice in tenantOverrides is an InvalidSpec', (t) => {
  const overrides = [{ tenantId: 'a' }, { tenantId: 'a' }];
  t.regex(problem({ multiTenancy: { enabled: true, tenantOverrides: overrides } }), /names a more than once/);
});

test('every problem of a spec is listed in one error', (t) => {
  const message = problem({
    security: { tls: { enabled: true } },
    observability: { tracing: { enabled: true } },
  });
  t.regex(message, /certSecretName/);
  t.regex(message, /tracing\.endpoint/);
});

test('the registration refuses an object without a namespace', (t) => {
  const err = t.throws(() => asCluster({ metadata: { name: 'x' } }));
  t.true(err instanceof TerminalError);
});
