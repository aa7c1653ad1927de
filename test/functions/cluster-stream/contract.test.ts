/**
 * The reconciler contract for ClusterStream, on NATS, on Kafka and on RabbitMQ: a missing object is done, a
 * converged one is reconciled three more times without any write (its own resourceVersion and its
 * binding Secret's stay), and an unsupported protocol is a terminal ProtocolNotSupported.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { Builtin } from '../../../runtime/index.js';
import { runReconcilerContract } from '../../contract/reconciler.contract.js';
import { installCrds } from '../../helpers/crds.js';
import { suffix, testEnv } from '../../helpers/env.js';
import {
  TEST_RUN_LABEL,
  closeBrokers,
  clusterStream,
  csContext,
  sweepClusterStreams,
} from '../../fixtures/tanzu/fixtures.js';
import { Kafka, logLevel } from 'kafkajs';
import { connect } from 'nats';
import { connect as amqpConnect } from 'amqplib';
import type { RabbitEnv } from '../../env/components/rabbitmq.js';
import { rabbitEnv } from '../../fixtures/tanzu/rabbitmq.js';

const run = suffix();
const topics: string[] = [];

let rabbit: RabbitEnv | undefined;

test.before(async () => {
  await installCrds();
  rabbit = await rabbitEnv();
});

test.after.always(async () => {
  await sweepClusterStreams(run);
  const kafka = new Kafka({
    brokers: [...testEnv().kafkaBrokers],
    clientId: 'tanzu-contract',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect().catch(() => undefined);
  await admin.deleteTopics({ topics: topics.filter((n) => !n.includes('_')) }).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
  const nc = await connect({ servers: testEnv().natsUrl });
  const jsm = await nc.jetstreamManager();
  for (const stream of topics.map((n) => n.replace(/\./g, '_')))
    await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
  if (rabbit) {
    const model = await amqpConnect({ hostname: '127.0.0.1', port: rabbit.port });
    for (const exchange of topics) {
      const ch = await model.createChannel();
      await ch.deleteQueue(exchange).catch(() => undefined);
      await ch.deleteExchange(exchange).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    await model.close();
  }
  await closeBrokers();
});

for (const protocol of ['nats', 'kafka', 'rabbitmq'] as const) {
  runReconcilerContract(`ClusterStream ${protocol}`, {
    fn: clusterStreamFunction,
    valid: (ns) => {
      const topic = `contract.${ns}`;
      topics.push(topic);
      return clusterStream({
        name: `${ns}-cs`,
        topic,
        protocol,
        ...(protocol === 'rabbitmq' ? { url: rabbit?.hostPort ?? '' } : {}),
        labels: { [TEST_RUN_LABEL]: run },
        spec: { keys: ['k'] },
      });
    },
    invalid: (ns) =>
      clusterStream({
        name: `${ns}-cs`,
        topic: 'contract.invalid',
        protocol: 'pulsar',
        url: 'pulsar:6650',
        labels: { [TEST_RUN_LABEL]: run },
      }),
    invalidReason: 'ProtocolNotSupported',
    context: (ns, ref) => csContext(ns, ref.name),
    children: [Builtin.Secret],
  });
}
