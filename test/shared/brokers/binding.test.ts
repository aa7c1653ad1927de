/**
 * Service Binding Secrets: every accepted form yields the right credentials and addresses, and
 * every unusable Secret fails with InvalidBindingError naming the Secret and the key but never a value.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBindingSecret } from '../../../shared/brokers/binding.js';
import { InvalidBindingError } from '../../../shared/brokers/failures.js';
import { TerminalError } from '../../../runtime/errors.js';
import type { KubeObject } from '../../../runtime/kube/types.js';
import { repoRoot } from '../../env/paths.js';

const fixture = (name: string): string =>
  readFileSync(path.join(repoRoot, 'test/shared/brokers/fixtures', name), 'utf8');
const CA = fixture('ca.crt');
const CERT = fixture('client.crt');
const KEY = fixture('client.key');
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function secret(
  stringData: Record<string, string>,
  data?: Record<string, string>,
  type?: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: 'team-a', name: 'orders-binding' },
    ...(type === undefined ? {} : { type }),
    ...(data === undefined ? {} : { data }),
    stringData,
  };
}

test('a Kafka binding with bootstrap-servers and SCRAM over SSL gives SASL and TLS credentials', (t) => {
  const parsed = parseBindingSecret(
    secret({
      type: 'kafka',
      provider: 'sluice',
      'bootstrap-servers': 'kafka-0.kafka:9093, kafka-1.kafka:9093',
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'SCRAM-SHA-512',
      user: 'alice',
      password: 's3cret',
      certificates: CA,
    }),
    'kafka',
  );
  t.deepEqual(parsed.servers, ['kafka-0.kafka:9093', 'kafka-1.kafka:9093']);
  t.is(parsed.credentials.username, 'alice');
  t.is(parsed.credentials.password, 's3cret');
  t.is(parsed.credentials.saslMechanism, 'scram-sha-512');
  t.is(parsed.credentials.tls?.ca?.trim(), CA.trim());
  t.is(parsed.credentials.tls?.cert, undefined);
});

test('a Kafka binding read from base64 data decodes every entry', (t) => {
  const parsed = parseBindingSecret(
    secret(
      {},
      {
        bootstrapServers: b64('broker:9092'),
        securityProtocol: b64('SASL_PLAINTEXT'),
        username: b64('bob'),
        password: b64('pw\n'),
      },
    ),
    'kafka',
  );
  t.deepEqual(parsed.servers, ['broker:9092']);
  t.deepEqual(parsed.credentials, { username: 'bob', password: 'pw', saslMechanism: 'plain' });
});

test('stringData wins over data for the same key, as the API server applies it', (t) => {
  const parsed = parseBindingSecret(
    secret({ host: 'override.example' }, { host: b64('original.example'), port: b64('9093') }),
    'kafka',
  );
  t.deepEqual(parsed.servers, ['override.example:9093']);
});

test('a plaintext Kafka binding with host only gives the default port and no credentials', (t) => {
  const parsed = parseBindingSecret(secret({ type: 'kafka', host: 'kafka.streams.svc' }), 'kafka');
  t.deepEqual(parsed, { credentials: {}, servers: ['kafka.streams.svc:9092'] });
});

test('a Kafka binding with a uri strips the scheme from each address', (t) => {
  const parsed = parseBindingSecret(secret({ uri: 'SASL_SSL://a:9093,SASL_SSL://b:9093' }), 'kafka');
  t.deepEqual(parsed.servers, ['a:9093', 'b:9093']);
});

test('a Kafka binding with only certificates turns TLS on without SASL', (t) => {
  const parsed = parseBindingSecret(secret({ 'ca.crt': CA, 'tls.crt': CERT, 'tls.key': KEY }), 'kafka');
  t.is(parsed.servers, undefined);
  t.is(parsed.credentials.username, undefined);
  t.truthy(parsed.credentials.tls?.ca?.includes('BEGIN CERTIFICATE'));
  t.truthy(parsed.credentials.tls?.cert?.includes('BEGIN CERTIFICATE'));
  t.truthy(parsed.credentials.tls?.key?.includes('PRIVATE KEY'));
});

test('securityProtocol SSL without certificates turns TLS on with the system trust store', (t) => {
  const parsed = parseBindingSecret(secret({ host: 'k', port: '9093', securityProtocol: 'ssl' }), 'kafka');
  t.deepEqual(parsed.credentials, { tls: {} });
});

test('a NATS binding with a token and a tls:// uri gives the token and TLS', (t) => {
  const parsed = parseBindingSecret(
    secret({ type: 'nats', uri: 'tls://nats.streams.svc:4222', token: 't0ken', certificates: CA }),
    'nats',
  );
  t.deepEqual(parsed.servers, ['tls://nats.streams.svc:4222']);
  t.is(parsed.credentials.token, 't0ken');
  t.truthy(parsed.credentials.tls?.ca);
});

test('a NATS binding with host, port, username and password gives a nats:// URL', (t) => {
  const parsed = parseBindingSecret(
    secret({ host: 'nats', port: '4223', username: 'u', password: 'p' }, undefined, 'servicebinding.io/nats'),
    'nats',
  );
  t.deepEqual(parsed, { credentials: { username: 'u', password: 'p' }, servers: ['nats://nats:4223'] });
});

test('a RabbitMQ binding with host, port, username, password and virtual-host gives its credentials and address (issue 13)', (t) => {
  const parsed = parseBindingSecret(
    secret(
      {
        type: 'rabbitmq',
        host: 'rabbit.svc',
        port: '5673',
        username: 'app',
        password: 'p4ss',
        'virtual-host': 'team-a',
      },
      undefined,
      'servicebinding.io/rabbitmq',
    ),
    'rabbitmq',
  );
  t.deepEqual(parsed, {
    credentials: { username: 'app', password: 'p4ss', vhost: 'team-a' },
    servers: ['rabbit.svc:5673'],
  });
  t.deepEqual(parseBindingSecret(secret({ host: 'rabbit' }), 'rabbitmq'), {
    credentials: {},
    servers: ['rabbit:5672'],
  });
});

test('a RabbitMQ binding reads addresses, or an amqp(s):// uri whose path is the virtual host; credentials in the uri are refused', (t) => {
  t.deepEqual(parseBindingSecret(secret({ addresses: 'a:5672,b:5672', vhost: 'v' }), 'rabbitmq'), {
    credentials: { vhost: 'v' },
    servers: ['a:5672', 'b:5672'],
  });
  t.deepEqual(parseBindingSecret(secret({ uri: 'amqps://rabbit/orders%2Feu' }), 'rabbitmq'), {
    credentials: { vhost: 'orders/eu', tls: {} },
    servers: ['rabbit:5671'],
  });
  for (const [label, entries, key] of [
    ['credentials in the uri', { uri: 'amqp://app:s3cret-value@rabbit:5672/' }, 'uri'],
    ['a uri of another scheme', { uri: 'http://rabbit:15672' }, 'uri'],
    ['a uri naming another virtual host', { uri: 'amqp://rabbit/a', 'virtual-host': 'b' }, 'uri'],
    ['a password without a username', { host: 'rabbit', password: 's3cret-value' }, 'username'],
  ] as const) {
    const err = t.throws(
      () => parseBindingSecret(secret(entries), 'rabbitmq'),
      { instanceOf: InvalidBindingError },
      label,
    );
    t.is((err as InvalidBindingError | undefined)?.key, key, label);
    t.false(err?.message.includes('s3cret-value'), label);
  }
});

test('a NATS binding with a client certificate turns TLS on', (t) => {
  const parsed = parseBindingSecret(secret({ certificate: CERT, 'private-key': KEY }), 'nats');
  t.truthy(parsed.credentials.tls?.cert);
  t.truthy(parsed.credentials.tls?.key);
});

const SECRET_VALUES = ['s3cret-value', 'alice-secret-user', 'tok-secret-value'];

const garbage: [string, KubeObject, string | undefined][] = [
  ['no data at all', { metadata: { namespace: 'team-a', name: 'orders-binding' } }, undefined],
  ['data that is not base64', secret({}, { password: 's3cret-value!!' }), 'password'],
  ['data that decodes to bytes that are not UTF-8', secret({}, { password: 'gP8=' }), 'password'],
  [
    'a non-string stringData value',
    { metadata: { name: 'orders-binding' }, stringData: { password: 7 } },
    'password',
  ],
  ['a type for another broker', secret({ type: 'pulsar', host: 'h' }), 'type'],
  [
    'a Secret type for another broker',
    secret({ host: 'h' }, undefined, 'servicebinding.io/redis'),
    undefined,
  ],
  [
    'an unknown securityProtocol',
    secret({ securityProtocol: 'SASL_TLS', password: 's3cret-value' }),
    'securityProtocol',
  ],
  [
    'an unknown saslMechanism',
    secret({ saslMechanism: 'GSSAPI', user: 'alice-secret-user', password: 's3cret-value' }),
    'saslMechanism',
  ],
  ['a password without a username', secret({ password: 's3cret-value' }), 'username'],
  ['a username without a password', secret({ username: 'alice-secret-user' }), 'password'],
  [
    'SASL credentials under a PLAINTEXT protocol',
    secret({ securityProtocol: 'PLAINTEXT', username: 'alice-secret-user', password: 's3cret-value' }),
    'username',
  ],
  [
    'certificates under a PLAINTEXT protocol',
    secret({ securityProtocol: 'PLAINTEXT', certificates: CA }),
    'certificates',
  ],
  ['certificates that are not PEM', secret({ certificates: 's3cret-value' }), 'certificates'],
  [
    'a PEM block that does not parse',
    secret({ certificates: '-----BEGIN CERTIFICATE-----\ns3cret-value\n-----END CERTIFICATE-----' }),
    'certificates',
  ],
  ['a client certificate without a key', secret({ certificate: CERT }), 'certificate'],
  ['a private key without a certificate', secret({ 'private-key': KEY }), 'private-key'],
  ['a private key that is not a key', secret({ 'tls.crt': CERT, 'tls.key': 's3cret-value' }), 'tls.key'],
  [
    'username and user that disagree',
    secret({ username: 'alice-secret-user', user: 'mallory', password: 's3cret-value' }),
    'user',
  ],
  [
    'bootstrap-servers that are not host:port',
    secret({ 'bootstrap-servers': 'kafka, s3cret-value' }),
    'bootstrap-servers',
  ],
  ['a port that is not a number', secret({ host: 'kafka', port: 's3cret-value' }), 'port'],
  ['a port without a host', secret({ port: '9092' }), 'port'],
];

for (const [what, bad, key] of garbage) {
  test(`a Kafka binding with ${what} is rejected with InvalidBinding, naming the Secret but no value`, (t) => {
    const err = t.throws(() => parseBindingSecret(bad, 'kafka'), { instanceOf: InvalidBindingError });
    t.true(err instanceof TerminalError);
    t.is(err.reason, 'InvalidBinding');
    t.regex(err.message, /orders-binding/);
    if (key !== undefined) {
      t.is(err.key, key);
      t.true(err.message.includes(`key ${key}`));
    }
    for (const value of SECRET_VALUES) t.false(err.message.includes(value), `the message leaks ${value}`);
    t.false(err.message.includes('BEGIN'), 'the message leaks PEM material');
  });
}

const natsGarbage: [string, KubeObject, string][] = [
  [
    'a token and a username together',
    secret({ token: 'tok-secret-value', username: 'u', password: 'p' }),
    'token',
  ],
  [
    'a uri with embedded credentials',
    secret({ uri: 'nats://alice-secret-user:s3cret-value@nats:4222' }),
    'uri',
  ],
  ['a uri with another scheme', secret({ uri: 'http://nats:4222' }), 'uri'],
  ['a username without a password', secret({ user: 'alice-secret-user' }), 'password'],
  ['a type for Kafka', secret({ type: 'kafka', uri: 'nats://nats:4222' }), 'type'],
];

for (const [what, bad, key] of natsGarbage) {
  test(`a NATS binding with ${what} is rejected with InvalidBinding, naming the key but no value`, (t) => {
    const err = t.throws(() => parseBindingSecret(bad, 'nats'), { instanceOf: InvalidBindingError });
    t.is(err.key, key);
    for (const value of SECRET_VALUES) t.false(err.message.includes(value), `the message leaks ${value}`);
  });
}
