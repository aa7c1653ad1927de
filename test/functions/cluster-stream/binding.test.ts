/**
 * `storage.server.binding` and an empty `storage.server.url`, on the real API server and NATS: the
 * broker binding Secret (Service Binding keys, in the operator's namespace) gives the credentials,
 * which the ClusterStream's own binding Secret carries on; an empty url means the operator's
 * default broker, or the servers of the binding; a missing or unusable binding is a clear reason.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { Builtin, RetryableError, TerminalError, findCondition } from '../../../runtime/index.js';
import { ClusterStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, testEnv } from '../../helpers/env.js';
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
  natsConnection,
  natsPrefix,
  prepare,
  secretEntries,
  statusOf,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

async function brokerSecret(
  namespace: string,
  name: string,
  stringData: Record<string, string>,
): Promise<void> {
  await adminClient().create(Builtin.Secret, { metadata: { name, namespace }, stringData });
}

test('with an empty url the default broker and binding are used, and the credentials reach the binding Secret', async (t) => {
  const iso = isolation('cs-default-broker');
  await prepare(t, iso.namespace);
  const jsm = await (await natsConnection(t, natsPrefix(iso.topicPrefix))).jetstreamManager();
  await brokerSecret(iso.namespace, 'nats-creds', { type: 'nats', token: 'not-a-real-secret' });
  const name = csName('default');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}defaults`;
  await create(ClusterStreamKind, clusterStream({ name, topic: subject, protocol: 'nats', url: '' }));
  const ctx = csContext(iso.namespace, name, { natsBinding: 'nats-creds' });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.deepEqual((await jsm.streams.info(natsPrefix(subject))).config.subjects, [subject]);
  const status = statusOf(await getCs(name));
  const entries = await secretEntries(iso.namespace, (status.binding as { name: string }).name);
  t.like(entries, { url: testEnv().natsUrl, token: 'not-a-real-secret' });
});

test('with an empty url the servers of the binding Secret are used', async (t) => {
  const iso = isolation('cs-binding-servers');
  await prepare(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  await brokerSecret(iso.namespace, 'nats-where', { type: 'nats', uri: testEnv().natsUrl });
  const name = csName('servers');
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: `${iso.topicPrefix}where`,
      protocol: 'nats',
      url: '',
      binding: 'nats-where',
    }),
  );
  const ctx = csContext(iso.namespace, name, { natsUrl: undefined });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is(findCondition(statusOf(await getCs(name)), 'Ready')?.status, 'True');
});

test('a missing broker binding Secret is BindingNotFound and retried; an unusable one is a terminal InvalidBinding', async (t) => {
  const iso = isolation('cs-binding-bad');
  await prepare(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const name = csName('bad-binding');
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({ name, topic: `${iso.topicPrefix}bad`, protocol: 'nats', binding: 'nats-later' }),
  );
  const ctx = csContext(iso.namespace, name);
  const missing = (await attempt(clusterStreamFunction, csRef(name), ctx)).error;
  t.true(missing instanceof RetryableError);
  t.is(findCondition(statusOf(await getCs(name)), 'Ready')?.reason, 'BindingNotFound');

  await brokerSecret(iso.namespace, 'nats-later', { type: 'kafka', 'bootstrap-servers': 'k:9092' });
  const invalid = (await attempt(clusterStreamFunction, csRef(name), ctx)).error;
  t.true(invalid instanceof TerminalError);
  const status = statusOf(await getCs(name));
  t.is(findCondition(status, 'Ready')?.reason, 'InvalidBinding');
  t.is(status.phase, 'Failed');
});
