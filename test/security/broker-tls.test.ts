/**
 * Connections to the brokers use TLS and SASL when the binding Secret says so. Against a private
 * nats-server with TLS (user/password, and token) and a private Kafka with an SSL and a SASL_SSL
 * listener (SCRAM-SHA-512 and PLAIN), all with a CA made for the test: a ClusterStream whose
 * binding Secret carries the CA and the credentials provisions its stream or topic; a wrong CA or
 * a wrong password gives a clear condition. The debug logs of the reconciles and broker clients,
 * the Events and the statuses never contain a password or token.
 */
import test, { type ExecutionContext } from 'ava';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { connect } from 'nats';
import { clusterStreamFunction } from '../../functions/cluster-stream/index.js';
import { Builtin, createLogger, findCondition } from '../../runtime/index.js';
import { ClusterStreamKind, createBrokerClients, type PooledBrokerClients } from '../../shared/index.js';
import { natsStreamName } from '../../shared/tanzu/index.js';
import { startPrivateKafka, type PrivateKafka } from '../env/private-kafka.js';
import { startPrivateNats, type PrivateNats } from '../env/private-nats.js';
import { makeTestPki, type TestPki } from '../env/private-tls.js';
import {
  attempt,
  cleanupClusterStream,
  clusterStream,
  create,
  csName,
  csRef,
  getCs,
  prepare,
} from '../fixtures/tanzu/fixtures.js';
import { adminClient, testContext } from '../helpers/context.js';
import { isolation, suffix } from '../helpers/env.js';
import { clusterSources, describeLeaks, findLeaks, type LeakSource, type TestSecret } from './leaks.js';

const NATS_USER = { name: 'sluice', password: `nats-pw-${suffix(8)}` };
const NATS_TOKEN = `nats-token-${suffix(8)}`;
const KAFKA_USER = { name: 'alice', password: `kafka-pw-${suffix(8)}` };
const SECRETS: TestSecret[] = [
  { label: 'NATS password', value: NATS_USER.password },
  { label: 'NATS token', value: NATS_TOKEN },
  { label: 'Kafka password', value: KAFKA_USER.password },
];

let pki: TestPki;
let natsUser: PrivateNats;
let natsToken: PrivateNats;
let kafka: PrivateKafka;
const logLines: string[] = [];
let brokers: PooledBrokerClients;
const log = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
});

test.before(async () => {
  pki = await makeTestPki();
  const tls = { certPath: pki.serverCertPath, keyPath: pki.serverKeyPath };
  [natsUser, natsToken, kafka] = await Promise.all([
    startPrivateNats({ user: NATS_USER, tls }),
    startPrivateNats({ token: NATS_TOKEN, tls }),
    startPrivateKafka({ tlsBundlePath: pki.serverBundlePath, users: [KAFKA_USER] }),
  ]);
  brokers = createBrokerClients({ logger: log, idleMs: 5_000 });
});

test.after.always(async () => {
  await brokers?.close();
  await Promise.all([natsUser?.stop(), natsToken?.stop(), kafka?.stop()]);
  pki?.remove();
});

interface Case {
  readonly protocol: 'nats' | 'kafka';
  readonly url: () => string;
  readonly binding: () => Record<string, string>;
}

/** Reconciles a ClusterStream bound to a Secret with `binding`; returns its Ready condition and topic. */
async function reconcileWith(t: ExecutionContext, label: string, c: Case) {
  const iso = isolation(`tls-${label}`);
  await prepare(t, iso.namespace);
  await adminClient().create(Builtin.Secret, {
    metadata: { name: 'broker', namespace: iso.namespace },
    stringData: c.binding(),
  });
  const name = csName(label);
  cleanupClusterStream(t, name);
  const topic = `${iso.topicPrefix}${label}`;
  await create(
    ClusterStreamKind,
    clusterStream({ name, topic, protocol: c.protocol, url: c.url(), binding: 'broker' }),
  );
  const ctx = {
    ...testContext(ClusterStreamKind, { about: csRef(name), brokers, config: { namespace: iso.namespace } }),
    log,
  };
  const { error } = await attempt(clusterStreamFunction, csRef(name), ctx);
  const ready = findCondition((await getCs(name))?.status, 'Ready');
  const sources: LeakSource[] = [
    { where: 'debug logs', text: logLines.join('') },
    ...(await clusterSources([iso.namespace], [{ type: ClusterStreamKind, name }])),
  ];
  const leaks = findLeaks(SECRETS, sources);
  t.deepEqual(leaks, [], describeLeaks(leaks));
  return { ready, error, topic };
}

const natsWithUser = (ca: () => string): Case => ({
  protocol: 'nats',
  url: () => natsUser.url,
  binding: () => ({
    type: 'nats',
    username: NATS_USER.name,
    password: NATS_USER.password,
    certificates: ca(),
  }),
});

test('NATS over TLS with a user and password: the stream is provisioned', async (t) => {
  const { ready, topic } = await reconcileWith(
    t,
    'nats-user',
    natsWithUser(() => pki.ca),
  );
  t.is(ready?.status, 'True', ready?.message);
  const nc = await connect({
    servers: natsUser.url,
    user: NATS_USER.name,
    pass: NATS_USER.password,
    tls: { ca: pki.ca },
  });
  const info = await (await nc.jetstreamManager()).streams.info(natsStreamName(topic));
  await nc.close();
  t.deepEqual(info.config.subjects, [topic]);
});

test('NATS over TLS with a token: the stream is provisioned', async (t) => {
  const { ready } = await reconcileWith(t, 'nats-token', {
    protocol: 'nats',
    url: () => natsToken.url,
    binding: () => ({ type: 'nats', token: NATS_TOKEN, certificates: pki.ca }),
  });
  t.is(ready?.status, 'True', ready?.message);
});

test('NATS with a CA that did not sign the server certificate: a condition that says so', async (t) => {
  const { ready } = await reconcileWith(
    t,
    'nats-wrong-ca',
    natsWithUser(() => pki.wrongCa),
  );
  t.is(ready?.status, 'False');
  t.log(`${ready?.reason}: ${ready?.message}`);
  t.regex(ready?.message ?? '', /certificate/i);
});

test('NATS with a wrong password: BrokerAuthFailed', async (t) => {
  const { ready } = await reconcileWith(t, 'nats-wrong-pw', {
    protocol: 'nats',
    url: () => natsUser.url,
    binding: () => ({
      type: 'nats',
      username: NATS_USER.name,
      password: 'not-the-password',
      certificates: pki.ca,
    }),
  });
  t.is(ready?.reason, 'BrokerAuthFailed', ready?.message);
  t.regex(ready?.message ?? '', /credentials|authorization/i);
});

const kafkaCase = (listener: () => string | undefined, binding: () => Record<string, string>): Case => ({
  protocol: 'kafka',
  url: () => listener() ?? '',
  binding,
});

async function topicOnKafka(topic: string): Promise<boolean> {
  const admin = new Kafka({ brokers: [kafka.plaintext], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

test('Kafka over SSL with the CA: the topic is provisioned', async (t) => {
  const { ready, topic } = await reconcileWith(
    t,
    'kafka-ssl',
    kafkaCase(
      () => kafka.ssl,
      () => ({ type: 'kafka', securityProtocol: 'SSL', certificates: pki.ca }),
    ),
  );
  t.is(ready?.status, 'True', ready?.message);
  t.true(await topicOnKafka(topic));
});

for (const mechanism of ['SCRAM-SHA-512', 'PLAIN'] as const) {
  test(`Kafka over SASL_SSL with ${mechanism}: the topic is provisioned`, async (t) => {
    const { ready, topic } = await reconcileWith(
      t,
      `kafka-${mechanism.toLowerCase()}`,
      kafkaCase(
        () => kafka.saslSsl,
        () => ({
          type: 'kafka',
          securityProtocol: 'SASL_SSL',
          saslMechanism: mechanism,
          username: KAFKA_USER.name,
          password: KAFKA_USER.password,
          certificates: pki.ca,
        }),
      ),
    );
    t.is(ready?.status, 'True', ready?.message);
    t.true(await topicOnKafka(topic));
  });
}

test('Kafka over SASL_SSL with a wrong password: BrokerAuthFailed', async (t) => {
  const { ready } = await reconcileWith(
    t,
    'kafka-wrong-pw',
    kafkaCase(
      () => kafka.saslSsl,
      () => ({
        type: 'kafka',
        securityProtocol: 'SASL_SSL',
        saslMechanism: 'SCRAM-SHA-512',
        username: KAFKA_USER.name,
        password: 'not-the-password',
        certificates: pki.ca,
      }),
    ),
  );
  t.is(ready?.reason, 'BrokerAuthFailed', ready?.message);
});

test('Kafka over SSL with a CA that did not sign the broker certificate: a condition that says so', async (t) => {
  const { ready } = await reconcileWith(
    t,
    'kafka-wrong-ca',
    kafkaCase(
      () => kafka.ssl,
      () => ({ type: 'kafka', securityProtocol: 'SSL', certificates: pki.wrongCa }),
    ),
  );
  t.is(ready?.status, 'False');
  t.log(`${ready?.reason}: ${ready?.message}`);
  t.regex(ready?.message ?? '', /certificate/i);
});
