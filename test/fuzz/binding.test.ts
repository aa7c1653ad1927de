/**
 * Binding Secrets with missing or garbage keys. The parser is fuzzed (fast-check, pure, many
 * runs): any Secret gives credentials or an InvalidBinding TerminalError naming the Secret and a
 * key, never another error, and never a value of the Secret in the message. Then, on the real API
 * server, a ClusterStream whose binding Secret is unusable in various ways ends with
 * `Ready=False`, reason InvalidBinding, a message that names the key, and no secret anywhere in
 * its status or Events.
 */
import test from 'ava';
import fc from 'fast-check';
import { clusterStreamFunction } from '../../functions/cluster-stream/index.js';
import { Builtin, TerminalError, findCondition } from '../../runtime/index.js';
import { ClusterStreamKind, parseBindingSecret } from '../../shared/index.js';
import {
  attempt,
  cleanupClusterStream,
  closeBrokers,
  clusterStream,
  create,
  csContext,
  csName,
  csRef,
  getCs,
  prepare,
} from '../fixtures/tanzu/fixtures.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { clusterSources, describeLeaks, findLeaks } from '../security/leaks.js';

test.after.always(closeBrokers);

const KEYS = [
  'type',
  'provider',
  'host',
  'port',
  'uri',
  'username',
  'user',
  'password',
  'certificates',
  'ca.crt',
  'certificate',
  'tls.crt',
  'private-key',
  'tls.key',
  'bootstrap-servers',
  'bootstrapServers',
  'securityProtocol',
  'saslMechanism',
  'token',
];

/** Values marked so that finding them in a message is never a coincidence. */
const marked = fc.string({ minLength: 4, maxLength: 16 }).map((s) => `zqx${Buffer.from(s).toString('hex')}`);

const value = fc.oneof(
  marked,
  fc.constantFrom(
    'kafka',
    'nats',
    'SASL_SSL',
    'SSL',
    'PLAINTEXT',
    'SCRAM-SHA-512',
    'plain',
    'localhost',
    '9092',
    '0',
    '70000',
    'nats://h:4222',
    'tls://h:4222',
    'nats://u:p@h:4222',
    'h:1,h2:2',
    '',
    ' ',
    '\n',
    '-----BEGIN CERTIFICATE-----\nzqxgarbage\n-----END CERTIFICATE-----',
    '-----BEGIN PRIVATE KEY-----\nzqxgarbage\n-----END PRIVATE KEY-----',
    '-----BEGIN ENCRYPTED PRIVATE KEY-----\nzqx\n-----END ENCRYPTED PRIVATE KEY-----',
  ),
);

const entries = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), value, {
  maxKeys: 6,
});

/** A Secret as the API server could hand it over: data (base64, or not), stringData, a type. */
const secret = fc.record({
  data: fc.option(
    fc.oneof(
      entries.map((e) =>
        Object.fromEntries(Object.entries(e).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      ),
      fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(marked, fc.constant('!!!'), fc.constant('/w=='))),
    ),
    { nil: undefined },
  ),
  stringData: fc.option(entries, { nil: undefined }),
  type: fc.option(
    fc.constantFrom('Opaque', 'servicebinding.io/kafka', 'servicebinding.io/nats', 'servicebinding.io/x'),
    {
      nil: undefined,
    },
  ),
});

function markedValues(s: {
  data?: Record<string, string> | undefined;
  stringData?: Record<string, string> | undefined;
}): string[] {
  const plain = Object.values(s.stringData ?? {});
  const decoded = Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8'));
  const raw = Object.values(s.data ?? {});
  return [...plain, ...decoded, ...raw]
    .flatMap((v) => v.match(/zqx[0-9a-f]+/g) ?? [])
    .filter((v) => v.length > 5);
}

test('any binding Secret gives credentials or an InvalidBinding error that names a key and no value', (t) => {
  const outcomes = { parsed: 0, invalid: 0 };
  fc.assert(
    fc.property(secret, fc.constantFrom('kafka' as const, 'nats' as const), (s, protocol) => {
      const obj = {
        metadata: { name: 'binding', namespace: 'ops' },
        ...(s.type === undefined ? {} : { type: s.type }),
        ...(s.data === undefined ? {} : { data: s.data }),
        ...(s.stringData === undefined ? {} : { stringData: s.stringData }),
      };
      try {
        parseBindingSecret(obj, protocol);
        outcomes.parsed++;
      } catch (err) {
        if (!(err instanceof TerminalError) || err.reason !== 'InvalidBinding')
          throw new Error(`not an InvalidBinding error: ${String(err)}`, { cause: err });
        if (!err.message.includes('ops/binding'))
          throw new Error(`the Secret is not named: ${err.message}`, { cause: err });
        const leaked = markedValues(s).filter((v) => err.message.includes(v));
        if (leaked.length > 0) throw new Error(`the message carries a value: ${err.message}`, { cause: err });
        outcomes.invalid++;
      }
    }),
    { numRuns: 3000 },
  );
  t.log(outcomes);
  t.true(outcomes.parsed > 0 && outcomes.invalid > 0, 'both outcomes were exercised');
});

const SECRET_PASSWORD = 'pw-binding-7f3a9c1e2b';

const garbage: [string, Record<string, string>, RegExp][] = [
  ['a password without a username', { type: 'nats', password: SECRET_PASSWORD }, /key username/],
  [
    'a token and a username together',
    { type: 'nats', token: SECRET_PASSWORD, username: 'me', password: SECRET_PASSWORD },
    /key token/,
  ],
  ['a uri with credentials in it', { type: 'nats', uri: `nats://me:${SECRET_PASSWORD}@h:4222` }, /key uri/],
  ['a certificate that is not PEM', { type: 'nats', certificates: SECRET_PASSWORD }, /key certificates/],
  [
    'a client key without its certificate',
    { type: 'nats', 'tls.key': SECRET_PASSWORD },
    /key private-key|key tls.key/,
  ],
  ['a binding of another type', { type: 'kafka', password: SECRET_PASSWORD, username: 'me' }, /key type/],
  ['a port that is not one', { type: 'nats', host: 'h', port: SECRET_PASSWORD }, /key port/],
];

for (const [what, stringData, key] of garbage) {
  test(`a ClusterStream whose binding Secret has ${what} is Ready=False InvalidBinding, naming the key and no secret`, async (t) => {
    const iso = isolation('fz-binding');
    await prepare(t, iso.namespace);
    await adminClient().create(Builtin.Secret, {
      metadata: { name: 'broker', namespace: iso.namespace },
      stringData,
    });
    const name = csName('garbage');
    cleanupClusterStream(t, name);
    await create(
      ClusterStreamKind,
      clusterStream({ name, topic: `${iso.topicPrefix}g`, protocol: 'nats', binding: 'broker' }),
    );
    const { error } = await attempt(clusterStreamFunction, csRef(name), csContext(iso.namespace, name));
    t.true(error instanceof TerminalError, String(error));
    const ready = findCondition((await getCs(name))?.status, 'Ready');
    t.is(ready?.reason, 'InvalidBinding');
    t.regex(ready?.message ?? '', key);
    const leaks = findLeaks(
      [{ label: 'binding password', value: SECRET_PASSWORD }],
      await clusterSources([iso.namespace], [{ type: ClusterStreamKind, name }]),
    );
    t.deepEqual(leaks, [], describeLeaks(leaks));
  });
}
