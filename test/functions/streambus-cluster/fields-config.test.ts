/**
 * spec.config beyond the four seed settings (issue 13): the typed tuning settings reach their
 * `server` keys of broker.yaml, any other key passes through as written, and a key that would
 * override what Sluice owns is an InvalidSpec naming it.
 */
import test from 'ava';
import { isRecord, TerminalError } from '../../../runtime/index.js';
import { brokerConfig } from '../../../functions/streambus-cluster/desired-config.js';
import { parseSpec } from '../../../functions/streambus-cluster/parse.js';
import { OWNED_PATHS } from '../../../functions/streambus-cluster/spec.js';
import { ID, at, build } from './build.js';

function invalid(config: Record<string, unknown>): string {
  try {
    parseSpec({ config }, 'demo');
  } catch (err) {
    if (err instanceof TerminalError && err.reason === 'InvalidSpec') return err.message;
    throw err;
  }
  return '';
}

test('the typed tuning settings reach the server section of broker.yaml', (t) => {
  const b = build({
    config: {
      maxConnections: 10000,
      maxMessageSize: 10485760,
      compressionEnabled: true,
      readTimeout: '30s',
      writeTimeout: '45s',
      idleTimeout: '5m',
      numWorkers: 64,
      keepAlive: false,
      keepAlivePeriod: '1m30s',
    },
  });
  t.like(at(b.config, 'server'), {
    max_connections: 10000,
    max_message_size: 10485760,
    compression_enabled: true,
    read_timeout: '30s',
    write_timeout: '45s',
    idle_timeout: '5m',
    num_workers: 64,
    keep_alive: false,
    keep_alive_period: '1m30s',
  });
});

test('a typed tuning setting left out is absent from broker.yaml, so the broker keeps its default', (t) => {
  const server = at(build({}).config, 'server');
  t.deepEqual(Object.keys(isRecord(server) ? server : {}).sort(), ['grpc_port', 'host', 'http_port', 'port']);
});

test('a typed tuning setting of the wrong type or range is an InvalidSpec naming it', (t) => {
  t.regex(invalid({ maxConnections: 0 }), /spec\.config\.maxConnections/);
  t.regex(invalid({ maxMessageSize: 'big' }), /spec\.config\.maxMessageSize/);
  t.regex(invalid({ compressionEnabled: 'yes' }), /spec\.config\.compressionEnabled/);
  t.regex(invalid({ readTimeout: '30 seconds' }), /spec\.config\.readTimeout/);
});

test('an untyped key passes through into broker.yaml, nested or dotted, merged with what Sluice writes', (t) => {
  const b = build({
    config: {
      topics: { auto_create: false, default_partitions: 12 },
      'storage.wal.fsync': 'interval',
      'cluster.raft.heartbeat_interval_ms': 500,
      replication: { min_isr: 2 },
      server: { socket_send_buffer_bytes: 102400 },
    },
  });
  t.deepEqual(at(b.config, 'topics'), { auto_create: false, default_partitions: 12 });
  t.is(at(b.config, 'storage', 'wal', 'fsync'), 'interval');
  t.is(at(b.config, 'storage', 'data_dir'), '/data', 'what Sluice writes stays');
  t.is(at(b.config, 'cluster', 'raft', 'heartbeat_interval_ms'), 500);
  t.is(at(b.config, 'cluster', 'raft', 'data_dir'), '/raft');
  t.is(at(b.config, 'replication', 'min_isr'), 2);
  t.is(at(b.config, 'server', 'socket_send_buffer_bytes'), 102400);
  t.is(at(b.config, 'server', 'port'), 9092);
});

test('the broker file does not depend on the order pass-through keys were written in', (t) => {
  const a = build({ config: { zeta: 1, alpha: { b: 2, a: 1 } } });
  const b = build({ config: { alpha: { a: 1, b: 2 }, zeta: 1 } });
  t.is(a.configText, b.configText);
  t.is(a.desired.configHash, b.desired.configHash);
});

test('a pass-through key that would override what Sluice owns is an InvalidSpec naming the key', (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ server: { broker_id: 7 } }, /spec\.config\.server\.broker_id would override server\.broker_id/],
    [{ 'server.port': 1234 }, /spec\.config\.server\.port would override server\.port.*spec\.config\.port/],
    [{ server: { listen: '0.0.0.0:1' } }, /spec\.config\.server\.listen/],
    [{ 'storage.data_dir': '/tmp' }, /spec\.config\.storage\.data_dir would override storage\.data_dir/],
    [
      { cluster: { peers: [] } },
      /spec\.config\.cluster\.peers would override cluster\.peers.*spec\.replicas/,
    ],
    [{ cluster: { raft: { port: 1 } } }, /spec\.config\.cluster\.raft\.port/],
    [{ security: { tls: { cert_file: '/x' } } }, /spec\.config\.security\.tls\.cert_file.*spec\.security/],
    [{ observability: { logging: { level: 'x' } } }, /spec\.config\.observability\.logging\.level/],
    [{ multi_tenancy: { enabled: true } }, /spec\.config\.multi_tenancy\.enabled/],
    [{ cluster: 'x' }, /spec\.config\.cluster would override cluster\.raft\.data_dir/],
    [{ Server: { Broker_ID: 1 } }, /spec\.config\.Server\.Broker_ID would override server\.broker_id/],
    [{ brokerId: 3 }, /spec\.config\.brokerId names what Sluice sets/],
    [{ dataDir: '/x' }, /spec\.config\.dataDir names what Sluice sets/],
    [{ peers: ['1:a:7000'] }, /spec\.config\.peers names what Sluice sets/],
    [{ tls: { enabled: true } }, /spec\.config\.tls\.enabled names what Sluice sets/],
    [
      { max_connections: 5 },
      /spec\.config\.max_connections is the typed setting spec\.config\.maxConnections/,
    ],
    [
      { server: { max_connections: 5 } },
      /would override server\.max_connections.*spec\.config\.maxConnections/,
    ],
  ];
  for (const [config, expected] of cases) t.regex(invalid(config), expected, JSON.stringify(config));
});

test('a pass-through key that is not a setting name, or a setting set twice, is an InvalidSpec', (t) => {
  t.regex(invalid({ '': 1 }), /spec\.config\.: "" is not a broker setting name/);
  t.regex(invalid({ 'a b': 1 }), /"a b" is not a broker setting name/);
  t.regex(invalid({ 'topics..x': 1 }), /is not a broker setting name/);
  t.regex(invalid({ topics: { auto_create: true }, 'topics.auto_create': false }), /set the same setting/);
  t.regex(invalid({ Topics: { a: 1 }, topics: { a: 2 } }), /set the same setting/, 'viper ignores case');
  t.regex(invalid({ topics: 1, 'topics.x': 2 }), /set the same setting/);
});

test('every setting Sluice writes is an owned path, so no pass-through key can override one', (t) => {
  const spec = parseSpec(
    {
      replicas: 3,
      config: { maxConnections: 1, maxMessageSize: 1, compressionEnabled: true, numWorkers: 1 },
      security: {
        tls: { enabled: true, certSecretName: 'c', caSecretName: 'ca', clientAuthRequired: true },
        authentication: { enabled: true, method: 'mtls', allowedMethods: ['mtls', 'jwt'] },
        authorization: { enabled: true },
      },
      multiTenancy: { enabled: true, defaultQuotas: { maxTopics: 1 } },
      observability: { tracing: { enabled: true, endpoint: 'x:4317' }, logging: { format: 'json' } },
    },
    'demo',
  );
  const leaves: string[] = [];
  const walk = (v: unknown, p: string[]): void => {
    if (isRecord(v)) for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    else leaves.push(p.join('.'));
  };
  walk(brokerConfig(ID, spec), []);
  const owned = OWNED_PATHS.map(([p]) => p);
  const unowned = leaves.filter((l) => !owned.some((o) => l === o || l.startsWith(`${o}.`)));
  t.deepEqual(unowned, []);
});
