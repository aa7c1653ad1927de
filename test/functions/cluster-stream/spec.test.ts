/**
 * Unit tests of the ClusterStream spec checks that run before any broker is dialled.
 */
import test from 'ava';
import { chooseServers, parse, planTopic } from '../../../functions/cluster-stream/spec.js';
import { TerminalError, type KubeObject } from '../../../runtime/index.js';

function cs(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return { metadata: { name: 'x' }, spec, ...(status ? { status } : {}) };
}

const config = {
  kafkaBinding: 'default-kafka',
  natsBinding: undefined,
  kafkaBrokers: ['k:9092'],
  natsUrl: 'nats://n:4222',
  rabbitmqUrl: 'r:5672',
  rabbitmqBinding: undefined,
};

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof TerminalError ? err.reason : `not terminal: ${String(err)}`;
  }
}

test('parsing applies the CRD defaults: Retain, one partition, replication factor one', (t) => {
  const parsed = parse(cs({ name: 'orders' }));
  t.is(parsed.spec.storage.reclaimPolicy, 'Retain');
  t.is(parsed.spec.partitions, 1);
  t.is(parsed.spec.replicationFactor, 1);
});

test('a malformed spec is InvalidSpec naming the field', (t) => {
  const err = t.throws(() => parse(cs({ name: 'orders', streamModes: ['sideways'], config: { a: 1 } })));
  t.is((err as TerminalError).reason, 'InvalidSpec');
  t.regex(err?.message ?? '', /spec\.streamModes/);
  t.regex(err?.message ?? '', /spec\.config: must be a map of strings/);
});

test('protocols other than kafka, nats and rabbitmq are ProtocolNotSupported, as is a foreign protocol adapter', (t) => {
  const plan = (spec: Record<string, unknown>): unknown => planTopic(parse(cs(spec)), config);
  t.is(
    reasonOf(() => plan({ name: 'o', storage: { server: { protocol: 'pulsar', url: 'r:6650' } } })),
    'ProtocolNotSupported',
  );
  t.is(
    reasonOf(() => plan({ name: 'o', storage: { server: { url: 'k:9092' } } })),
    'ProtocolNotSupported',
  );
  t.is(
    reasonOf(() =>
      plan({
        name: 'o',
        storage: { server: { protocol: 'kafka' }, attributes: { protocolAdapterName: 'rabbitmq-operator' } },
      }),
    ),
    'ProtocolNotSupported',
  );
  t.is(
    reasonOf(() =>
      plan({
        name: 'o',
        storage: { server: { protocol: 'Kafka' }, attributes: { protocolAdapterName: 'kafka' } },
      }),
    ),
    undefined,
  );
});

test('protocolAdapterName rabbitmq-operator is taken on RabbitMQ only with a binding naming the broker', (t) => {
  const rabbit = (server: Record<string, unknown>): ReturnType<typeof planTopic> =>
    planTopic(
      parse(
        cs({
          name: 'o',
          storage: {
            server: { protocol: 'rabbitmq', ...server },
            attributes: { protocolAdapterName: 'rabbitmq-operator' },
          },
        }),
      ),
      config,
    );
  t.is(rabbit({ binding: 'c-default-user' }).rabbitOperator, true);
  const refused = t.throws(() => rabbit({}));
  t.is(refused instanceof TerminalError ? refused.reason : undefined, 'ProtocolNotSupported');
  t.regex(refused?.message ?? '', /Sluice deploys no RabbitMQ cluster/);
  t.is(
    planTopic(parse(cs({ name: 'o', storage: { server: { protocol: 'rabbitmq' } } })), config).rabbitOperator,
    false,
  );
});

test('the url must be bootstrap servers for Kafka and server URLs for NATS', (t) => {
  const plan = (protocol: string, url: string): ReturnType<typeof planTopic> =>
    planTopic(parse(cs({ name: 'o', storage: { server: { protocol, url } } })), config);
  t.deepEqual(plan('kafka', 'a:9092, b:9093').servers, ['a:9092', 'b:9093']);
  t.is(
    reasonOf(() => plan('kafka', 'kafka://a:9092')),
    'InvalidSpec',
  );
  t.deepEqual(plan('nats', 'nats://a:4222,b:4223').servers, ['nats://a:4222', 'nats://b:4223']);
  t.is(
    reasonOf(() => plan('nats', 'http://a:4222')),
    'InvalidSpec',
  );
  t.is(
    reasonOf(() => plan('nats', 'nats://user:pw@a:4222')),
    'InvalidSpec',
  );
});

test('topic names follow the broker: Kafka characters, NATS literal subjects', (t) => {
  const plan = (protocol: string, name: string): unknown =>
    planTopic(parse(cs({ name, storage: { server: { protocol } } })), config);
  t.is(
    reasonOf(() => plan('kafka', 'orders/eu')),
    'InvalidSpec',
  );
  t.is(
    reasonOf(() => plan('kafka', 'orders.eu_1')),
    undefined,
  );
  t.is(
    reasonOf(() => plan('nats', 'orders.*')),
    'InvalidSpec',
  );
  t.is(
    reasonOf(() => plan('nats', 'orders..eu')),
    'InvalidSpec',
  );
  t.is(
    planTopic(parse(cs({ name: 'orders.eu', storage: { server: { protocol: 'nats' } } })), config).stream,
    'orders_eu',
  );
});

test('NATS refuses partitions and unknown settings', (t) => {
  const plan = (spec: Record<string, unknown>): unknown =>
    planTopic(parse(cs({ name: 'o', storage: { server: { protocol: 'nats' } }, ...spec })), config);
  t.is(
    reasonOf(() => plan({ partitions: 3 })),
    'NotSupported',
  );
  t.is(
    reasonOf(() => plan({ config: { 'retention.ms': '1' } })),
    'InvalidSpec',
  );
  t.is(
    reasonOf(() => plan({ config: { max_msgs: '5' } })),
    undefined,
  );
});

test('a topic that exists cannot be renamed', (t) => {
  const obj = parse(cs({ name: 'new', storage: { server: { protocol: 'kafka' } } }, { topicName: 'old' }));
  t.is(
    reasonOf(() => planTopic(obj, config)),
    'NotSupported',
  );
});

test('the default binding applies only with the default broker', (t) => {
  const withUrl = planTopic(
    parse(cs({ name: 'o', storage: { server: { protocol: 'kafka', url: 'a:1' } } })),
    config,
  );
  t.is(withUrl.binding, undefined);
  const withoutUrl = planTopic(parse(cs({ name: 'o', storage: { server: { protocol: 'kafka' } } })), config);
  t.is(withoutUrl.binding, 'default-kafka');
  const explicit = planTopic(
    parse(cs({ name: 'o', storage: { server: { protocol: 'kafka', binding: 'mine' } } })),
    config,
  );
  t.is(explicit.binding, 'mine');
});

test('servers come from the spec, else the binding, else the operator default, else NoBrokerConfigured', (t) => {
  const plan = planTopic(parse(cs({ name: 'o', storage: { server: { protocol: 'kafka' } } })), config);
  t.deepEqual(chooseServers(plan, ['b:1'], config), ['b:1']);
  t.deepEqual(chooseServers(plan, undefined, config), ['k:9092']);
  t.is(
    reasonOf(() => chooseServers(plan, undefined, { ...config, kafkaBrokers: [], natsUrl: undefined })),
    'NoBrokerConfigured',
  );
  const explicit = planTopic(
    parse(cs({ name: 'o', storage: { server: { protocol: 'kafka', url: 'a:1' } } })),
    config,
  );
  t.deepEqual(chooseServers(explicit, ['b:1'], config), ['a:1']);
});
