/**
 * Unit tests of the Stream's parsing and pure decisions: the ClusterStream it wants or
 * provisions, whether an existing one fits, its binding Secret and status.
 */
import test from 'ava';
import {
  autoProvisionedClusterStream,
  clusterStreamNameOf,
  derivedSpec,
  hasDerivedSpec,
  misfit,
  streamSecret,
  streamStatus,
} from '../../../functions/tanzu-stream/desired.js';
import { parse } from '../../../functions/tanzu-stream/spec.js';
import { TerminalError, findCondition, type KubeObject } from '../../../runtime/index.js';
import { bindingSecret, decodeSecretData, parseClusterStream } from '../../../shared/tanzu/index.js';

function stream(spec: Record<string, unknown>): ReturnType<typeof parse> {
  return parse({ metadata: { namespace: 'dev', name: 'orders', uid: 'u-1', generation: 3 }, spec });
}

const config = {
  kafkaBrokers: ['k:9092'],
  natsUrl: 'nats://n:4222',
  kafkaBinding: 'kafka-creds',
  natsBinding: undefined,
  rabbitmqUrl: 'r:5672',
  rabbitmqBinding: undefined,
};
const me = { namespace: 'dev', name: 'orders', uid: 'u-1' };

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof TerminalError ? err.reason : `not terminal: ${String(err)}`;
  }
}

test('keys and keyExpression together are InvalidSpec', (t) => {
  t.is(
    reasonOf(() => stream({ name: 'o', protocol: 'kafka', keys: ['a'], keyExpression: 'payload.a' })),
    'InvalidSpec',
  );
  t.is(
    reasonOf(() => stream({ name: 'o', protocol: 'kafka', streamMode: ['read', 'peek'] })),
    'InvalidSpec',
  );
});

test('a data schema must be exactly one form, name known fields, and point at an http registry', (t) => {
  const base = { name: 'o', protocol: 'kafka' };
  t.is(
    reasonOf(() => stream({ ...base, dataSchemaContext: { schemaless: 'application/json' } })),
    undefined,
  );
  t.is(
    reasonOf(() =>
      stream({ ...base, dataSchemaContext: { schemaless: 'a/b', inline: { type: 'avro', schema: '{}' } } }),
    ),
    'InvalidDataSchema',
  );
  const fields = [
    { name: 'id', type: 'string' },
    { name: 'ts', type: 'long' },
  ];
  t.is(
    reasonOf(() =>
      stream({
        ...base,
        dataSchemaContext: {
          schema: { name: 'E', namespace: 'x', fields },
          primaryKey: ['id'],
          timeAttributes: [{ name: 'ts', watermark: '`ts` - INTERVAL 1 SECOND' }],
        },
      }),
    ),
    undefined,
  );
  const err = t.throws(() =>
    stream({
      ...base,
      dataSchemaContext: {
        schema: { name: 'E', namespace: 'x', fields: [...fields, { name: 'id', type: 'int' }] },
        primaryKey: ['nope'],
        timeAttributes: [{ name: 'when' }],
        schemaRegistryUri: 'ftp://registry',
      },
    }),
  );
  t.is((err as TerminalError).reason, 'InvalidDataSchema');
  t.regex(err?.message ?? '', /field names repeat: id/);
  t.regex(err?.message ?? '', /primaryKey names unknown fields: nope/);
  t.notRegex(err?.message ?? '', /timeAttributes/);
  t.regex(err?.message ?? '', /schemaRegistryUri must be an http/);
});

test('a time attribute may name a field the schema does not list: a processing time or a record header, as the upstream samples do (issue 13)', (t) => {
  const schema = { name: 'E', namespace: 'x', fields: [{ name: 'id', type: 'string' }] };
  const ctx = {
    schema,
    timeAttributes: [
      { name: 'proctime' },
      { name: 'header.timestamp', watermark: "`header.timestamp` - INTERVAL '3' SECOND" },
    ],
  };
  t.is(
    reasonOf(() => stream({ name: 'o', protocol: 'kafka', dataSchemaContext: ctx })),
    undefined,
  );
  // The primary key still must name known fields.
  t.is(
    reasonOf(() =>
      stream({ name: 'o', protocol: 'kafka', dataSchemaContext: { ...ctx, primaryKey: ['proctime'] } }),
    ),
    'InvalidDataSchema',
  );
});

test('the ClusterStream is the one named in storage, else <name>-cluster-stream', (t) => {
  t.is(clusterStreamNameOf(stream({ name: 'o', protocol: 'kafka' })), 'orders-cluster-stream');
  t.is(
    clusterStreamNameOf(stream({ name: 'o', protocol: 'kafka', storage: { clusterStream: 'shared' } })),
    'shared',
  );
});

test('an auto-provisioned ClusterStream copies the Stream and is claimed by it, on the default broker', (t) => {
  const s = stream({
    name: 'orders-topic',
    protocol: 'kafka',
    keys: ['id'],
    partitionCount: 4,
    streamMode: ['write'],
    attributes: { team: 'a' },
  });
  const cs = autoProvisionedClusterStream(s, me, config);
  t.is(cs.metadata.name, 'orders-cluster-stream');
  t.is(cs.metadata.labels?.['sluice.io/auto-provisioned'], 'true');
  t.is(cs.metadata.annotations?.['sluice.io/provisioned-for'], 'dev/orders');
  t.is(cs.metadata.annotations?.['sluice.io/binding-namespace'], undefined);
  t.deepEqual(cs.spec, {
    name: 'orders-topic',
    keys: ['id'],
    streamModes: ['write'],
    partitions: 4,
    storage: {
      server: { url: 'k:9092', protocol: 'kafka', binding: 'kafka-creds' },
      attributes: { team: 'a' },
      reclaimPolicy: 'Delete',
    },
    claimRef: me,
  });
  const own = autoProvisionedClusterStream(
    stream({ name: 'o', protocol: 'nats', binding: 'mine' }),
    me,
    config,
  );
  // The Stream's own binding says where the broker is: no url of the operator's.
  t.like(own.spec, { storage: { server: { url: '', protocol: 'nats', binding: 'mine' } } });
  t.is(own.metadata.annotations?.['sluice.io/binding-namespace'], 'dev');
  t.is((own.spec as { partitions?: number }).partitions, undefined);
});

test('auto-provisioning refuses unknown protocols and brokers the operator lacks', (t) => {
  t.is(
    reasonOf(() => autoProvisionedClusterStream(stream({ name: 'o', protocol: 'pulsar' }), me, config)),
    'ProtocolNotSupported',
  );
  t.is(
    reasonOf(() =>
      autoProvisionedClusterStream(stream({ name: 'o', protocol: 'nats' }), me, {
        ...config,
        natsUrl: undefined,
      }),
    ),
    'NoClusterStreamFound',
  );
  // A Stream that names its own binding needs no default broker: the binding says where.
  const own = autoProvisionedClusterStream(stream({ name: 'o', protocol: 'nats', binding: 'b' }), me, {
    ...config,
    natsUrl: undefined,
  });
  t.like(own.spec, { storage: { server: { url: '', binding: 'b' } } });
});

function clusterStream(spec: Record<string, unknown>): ReturnType<typeof parseClusterStream> {
  return parseClusterStream({
    metadata: { name: 'cs' },
    spec: { name: 'o', storage: { server: { protocol: 'kafka' } }, ...spec },
  });
}

test('a ClusterStream of another protocol, with fewer modes, or other properties does not fit', (t) => {
  const s = stream({
    name: 'o',
    protocol: 'kafka',
    streamMode: ['read', 'write'],
    keys: ['id'],
    partitionCount: 3,
    attributes: { team: 'a' },
    binding: 'b',
  });
  const fits = clusterStream({
    keys: ['id'],
    partitions: 3,
    streamModes: ['read', 'write'],
    storage: { server: { protocol: 'Kafka', binding: 'b' }, attributes: { team: 'a', extra: 'x' } },
  });
  t.is(misfit(s, fits), undefined);
  t.is(misfit(s, clusterStream({ storage: { server: { protocol: 'nats' } } }))?.reason, 'ProtocolMismatch');
  t.is(misfit(s, clusterStream({ streamModes: ['read'] }))?.reason, 'StreamModeNotAllowed');
  t.is(
    misfit(stream({ name: 'o', protocol: 'kafka', streamMode: ['write'] }), clusterStream({}))?.reason,
    undefined,
    'no modes allow both',
  );
  const other = misfit(
    s,
    clusterStream({
      name: 'p',
      keys: ['k'],
      partitions: 1,
      storage: { server: { protocol: 'kafka' }, attributes: { team: 'b' } },
    }),
  );
  t.is(other?.reason, 'ClusterStreamMismatch');
  t.regex(other?.message ?? '', /topic o \(it has p\)/);
  t.regex(other?.message ?? '', /keys id \(it has k\)/);
  t.regex(other?.message ?? '', /3 partitions \(it has 1\)/);
  t.regex(other?.message ?? '', /attribute team=a \(it has b\)/);
  t.regex(other?.message ?? '', /binding b \(it has none\)/);
});

test('the derived fields of an auto-provisioned ClusterStream follow the Stream', (t) => {
  const s = stream({ name: 'o', protocol: 'kafka', partitionCount: 2 });
  t.deepEqual(derivedSpec(s), { keys: [], streamModes: [], partitions: 2, storage: { attributes: {} } });
  t.true(hasDerivedSpec(clusterStream({ partitions: 2 }), s));
  t.false(hasDerivedSpec(clusterStream({ partitions: 1 }), s));
});

test('the Stream Secret copies the ClusterStream entries and adds its key and schema', (t) => {
  const source = bindingSecret({
    name: 'cs-binding',
    namespace: 'ops',
    type: 'kafka',
    entries: { type: 'kafka', topic: 'o', 'bootstrap-servers': 'k:9092', keys: 'cs-key' },
    labels: {},
    owner: { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' },
  });
  const withExpression = streamSecret(
    stream({
      name: 'o',
      protocol: 'kafka',
      keyExpression: 'payload.id',
      dataSchemaContext: { schemaless: 'application/json' },
    }),
    source,
  );
  t.is(withExpression.metadata.name, 'orders-stream-binding');
  t.is(withExpression.metadata.namespace, 'dev');
  t.is((withExpression as { type?: string }).type, 'servicebinding.io/kafka');
  t.like(withExpression.metadata.ownerReferences?.[0], {
    kind: 'Stream',
    name: 'orders',
    uid: 'u-1',
    controller: true,
  });
  const entries = decodeSecretData(withExpression);
  t.like(entries, { type: 'kafka', topic: 'o', 'bootstrap-servers': 'k:9092', keyExpression: 'payload.id' });
  t.is(entries.keys, undefined, 'a key expression replaces the ClusterStream keys');
  t.deepEqual(JSON.parse(entries.dataSchemaContext ?? '{}'), { schemaless: 'application/json' });
  t.is(
    decodeSecretData(streamSecret(stream({ name: 'o', protocol: 'kafka', keys: ['a', 'b'] }), source)).keys,
    'a,b',
  );
  t.is(decodeSecretData(streamSecret(stream({ name: 'o', protocol: 'kafka' }), source)).keys, 'cs-key');
});

test('a Stream that was bound keeps its binding and address while a problem is reported', (t) => {
  const s = stream({ name: 'o', protocol: 'kafka' });
  const bound = streamStatus(
    s,
    {
      clusterStream: 'cs',
      ready: { status: 'True', reason: 'StreamDeployed', message: 'm' },
      bound: { binding: 'b', storageAddress: { server: {} } },
    },
    new Date(),
  );
  const later = streamStatus(
    { ...s, status: bound } as KubeObject as ReturnType<typeof parse>,
    { clusterStream: 'cs', ready: { status: 'False', reason: 'ClusterStreamNotReady', message: 'x' } },
    new Date(),
  );
  t.deepEqual(later.binding, { name: 'b' });
  t.deepEqual(later.storageAddress, { server: {} });
  t.is(findCondition(later, 'Ready')?.reason, 'ClusterStreamNotReady');
  t.is(later.observedGeneration, 3);
});
