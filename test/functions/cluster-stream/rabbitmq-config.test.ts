/**
 * What a RabbitMQ ClusterStream asks of the broker, without a broker (issue 13): the layout for
 * one and for several partitions, the queue arguments `config` may set, and the refusals; and the
 * operator's default RabbitMQ broker from its settings.
 */
import test from 'ava';
import { rabbitWant } from '../../../functions/cluster-stream/rabbitmq-config.js';
import { ConfigError, TerminalError } from '../../../runtime/index.js';
import { defaultBrokerOf, loadOperatorSettings } from '../../../shared/index.js';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof TerminalError ? err.reason : 'not terminal';
  }
}

test('one partition is a fanout exchange and one stream queue of the same name, as the Streaming Runtime laid it out', (t) => {
  const want = rabbitWant('orders', 1, 1);
  t.is(want.exchangeType, 'fanout');
  t.deepEqual(want.queues, [
    { name: 'orders', routingKey: '', arguments: { 'x-queue-type': 'stream' }, bindingArguments: {} },
  ]);
});

test('several partitions are a super stream: a direct exchange and one stream per partition, routed by index', (t) => {
  const want = rabbitWant('scores', 3, 2, { 'x-max-age': '7D', 'x-max-length-bytes': '1000000' });
  t.is(want.exchangeType, 'direct');
  t.deepEqual(
    want.queues.map((q) => [q.name, q.routingKey, q.bindingArguments['x-stream-partition-order']]),
    [
      ['scores-0', '0', 0],
      ['scores-1', '1', 1],
      ['scores-2', '2', 2],
    ],
  );
  t.deepEqual(want.queues[0]?.arguments, {
    'x-queue-type': 'stream',
    'x-max-age': '7D',
    'x-max-length-bytes': 1000000,
    'x-initial-cluster-size': 2,
  });
});

test('config takes quorum and classic queues with their own arguments, and refuses what does not apply', (t) => {
  t.like(rabbitWant('jobs', 1, 3, { 'x-queue-type': 'quorum', 'x-max-length': '10' }).queues[0]?.arguments, {
    'x-queue-type': 'quorum',
    'x-max-length': 10,
    'x-quorum-initial-group-size': 3,
  });
  const cases: [string, () => unknown, string][] = [
    ['an unknown key', () => rabbitWant('a', 1, 1, { 'retention.ms': '1' }), 'InvalidSpec'],
    ['an unknown queue type', () => rabbitWant('a', 1, 1, { 'x-queue-type': 'lazy' }), 'InvalidSpec'],
    [
      'a stream-only argument on a classic queue',
      () => rabbitWant('a', 1, 1, { 'x-queue-type': 'classic', 'x-max-age': '1D' }),
      'InvalidSpec',
    ],
    ['a length limit on a stream', () => rabbitWant('a', 1, 1, { 'x-max-length': '5' }), 'InvalidSpec'],
    ['a non-number', () => rabbitWant('a', 1, 1, { 'x-max-length-bytes': 'lots' }), 'InvalidSpec'],
    ['an age without a unit', () => rabbitWant('a', 1, 1, { 'x-max-age': '7' }), 'InvalidSpec'],
    ['partitions of quorum queues', () => rabbitWant('a', 2, 1, { 'x-queue-type': 'quorum' }), 'InvalidSpec'],
    [
      'replicas of a classic queue',
      () => rabbitWant('a', 1, 2, { 'x-queue-type': 'classic' }),
      'NotSupported',
    ],
  ];
  for (const [label, fn, reason] of cases) t.is(reasonOf(fn), reason, label);
});

test('SLUICE_RABBITMQ_URL and SLUICE_RABBITMQ_BINDING are the default RabbitMQ broker; a URL that is not host:port stops the process', (t) => {
  const settings = loadOperatorSettings({
    SLUICE_RABBITMQ_URL: 'rabbit:5672',
    SLUICE_RABBITMQ_BINDING: 'creds',
  });
  t.deepEqual(defaultBrokerOf(settings, 'rabbitmq'), {
    servers: ['rabbit:5672'],
    binding: 'creds',
    variable: 'SLUICE_RABBITMQ_URL',
  });
  t.deepEqual(defaultBrokerOf(loadOperatorSettings({}), 'rabbitmq').servers, []);
  t.throws(() => loadOperatorSettings({ SLUICE_RABBITMQ_URL: 'amqp://guest:guest@rabbit' }), {
    instanceOf: ConfigError,
    message: /SLUICE_RABBITMQ_URL must be host:port/,
  });
});
