/**
 * The ClusterStream function on a real RabbitMQ (issue 13): what the Streaming Runtime's RabbitMQ
 * provisioner made for a stream (a durable exchange named after it, a queue of that name bound to
 * it), the queue a RabbitMQ stream; more partitions as a super stream; the binding's virtual host
 * and credentials; the binding Secret of type rabbitmq; refusals; one owner per exchange; and
 * the exchange and its queues deleted when a Delete ClusterStream goes.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { Builtin, TerminalError, findCondition } from '../../../runtime/index.js';
import { ClusterStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation } from '../../helpers/env.js';
import {
  attempt,
  claimFor,
  cleanupClusterStream,
  closeBrokers,
  clusterStream,
  create,
  csContext,
  csName,
  csRef,
  getCs,
  prepare,
  secretEntries,
  statusOf,
} from '../../fixtures/tanzu/fixtures.js';
import { rabbitEnv, readStream, tenantBinding, tenantClient } from '../../fixtures/tanzu/rabbitmq.js';

test.after.always(closeBrokers);

/** A topic prefix RabbitMQ accepts as an exchange name, unique to the test. */
function rabbitPrefix(topicPrefix: string): string {
  return topicPrefix.replace(/\./g, '-');
}

test('protocol rabbitmq declares a fanout exchange and a stream queue bound to it on the binding’s virtual host, and publishes a rabbitmq binding Secret', async (t) => {
  const env = await rabbitEnv();
  const iso = isolation('cs-rabbit');
  await prepare(t, iso.namespace);
  const exchange = `${rabbitPrefix(iso.topicPrefix)}orders`;
  const client = await tenantClient(t, env, rabbitPrefix(iso.topicPrefix), [exchange]);
  await tenantBinding(iso.namespace, 'rabbit-tenant', env);
  const name = csName('rabbit');
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: exchange,
      protocol: 'rabbitmq',
      url: env.hostPort,
      binding: 'rabbit-tenant',
      spec: { keys: ['id'], config: { 'x-max-age': '7D' } },
      storage: { attributes: { team: 'payments' } },
    }),
  );
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);

  t.true(await client.exists(exchange, 'exchange'));
  t.true(await client.exists(exchange));
  // The queue is a stream: declaring it as one again is accepted, as a classic queue refused.
  const ch = await client.channel();
  await ch.assertQueue(exchange, {
    durable: true,
    arguments: { 'x-queue-type': 'stream', 'x-max-age': '7D' },
  });
  await t.throwsAsync(
    (await client.channel()).assertQueue(exchange, {
      durable: true,
      arguments: { 'x-queue-type': 'classic' },
    }),
  );
  // Bound to the fanout exchange: a message published with any routing key lands in it, and a
  // stream keeps it for every reader.
  ch.publish(exchange, 'any-key', Buffer.from('hello'));
  t.deepEqual(await readStream(await client.channel(), exchange, 1), ['hello']);
  t.deepEqual(await readStream(await client.channel(), exchange, 1), ['hello']);

  const cs = await getCs(name);
  const status = statusOf(cs);
  t.is(findCondition(status, 'Ready')?.reason, 'TopicReady');
  t.is(status.topicName, exchange);
  t.is(status.partitions, 1);
  const production = (status.storageAddress as { server: Record<string, Record<string, unknown>> }).server
    .production;
  t.like(production, {
    url: env.hostPort,
    protocol: 'rabbitmq',
    variables: {
      team: 'payments',
      host: '127.0.0.1',
      port: String(env.port),
      exchange,
      queues: exchange,
      'virtual-host': env.tenant.vhost,
    },
  });
  const secretName = (status.binding as { name: string }).name;
  const secret = await adminClient().get(Builtin.Secret, iso.namespace, secretName);
  t.is((secret as { type?: string } | undefined)?.type, 'servicebinding.io/rabbitmq');
  t.like(await secretEntries(iso.namespace, secretName), {
    type: 'rabbitmq',
    provider: 'sluice',
    host: '127.0.0.1',
    port: String(env.port),
    username: env.tenant.username,
    password: env.tenant.password,
    'virtual-host': env.tenant.vhost,
    exchange,
    queue: exchange,
    keys: 'id',
  });
  // The password is in the Secret only: never in the status, an Event or the claim.
  t.false(JSON.stringify(cs).includes(env.tenant.password));
  t.false(JSON.stringify(ctx.recorded).includes(env.tenant.password));
  const claim = await claimFor(exchange);
  t.is(claim?.spec.protocol, 'rabbitmq');
  t.regex(claim?.spec.broker ?? '', new RegExp(`^rabbitmq:.+/${env.tenant.vhost}$`));
  t.false(JSON.stringify(claim).includes(env.tenant.password));

  // Converged: the next pass changes nothing.
  const before = (await getCs(name))?.metadata.resourceVersion;
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is((await getCs(name))?.metadata.resourceVersion, before);

  // Drift: the exchange deleted on the broker (its binding goes with it) is declared and bound again.
  await (await client.channel()).deleteExchange(exchange);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.true(await client.exists(exchange, 'exchange'));
  (await client.channel()).publish(exchange, '', Buffer.from('again'));
  t.deepEqual(await readStream(await client.channel(), exchange, 2), ['hello', 'again']);
  t.regex(
    ctx.recorded.find((e) => e.reason === 'DriftCorrected')?.message ?? '',
    /exchange \S+ absent → fanout/,
  );
});

test('partitions above 1 make a super stream; raising them adds partitions, lowering them is refused and changes nothing', async (t) => {
  const env = await rabbitEnv();
  const iso = isolation('cs-rabbit-super');
  await prepare(t, iso.namespace);
  const exchange = `${rabbitPrefix(iso.topicPrefix)}scores`;
  const client = await tenantClient(t, env, rabbitPrefix(iso.topicPrefix), [exchange]);
  await tenantBinding(iso.namespace, 'rabbit-tenant', env);
  const name = csName('rabbit-super');
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: exchange,
      protocol: 'rabbitmq',
      url: env.hostPort,
      binding: 'rabbit-tenant',
      spec: { partitions: 3 },
    }),
  );
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  for (const i of [0, 1, 2]) t.true(await client.exists(`${exchange}-${i}`));
  t.false(await client.exists(exchange), 'no single queue beside the partitions');
  // A direct exchange routing on the partition index.
  (await client.channel()).publish(exchange, '2', Buffer.from('to partition 2'));
  t.deepEqual(await readStream(await client.channel(), `${exchange}-2`, 1), ['to partition 2']);
  t.like(await secretEntries(iso.namespace, (statusOf(await getCs(name)).binding as { name: string }).name), {
    queues: `${exchange}-0,${exchange}-1,${exchange}-2`,
  });

  await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { partitions: 4 } });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.true(await client.exists(`${exchange}-3`));
  t.is(statusOf(await getCs(name)).partitions, 4);
  t.truthy(ctx.recorded.find((e) => e.reason === 'PartitionsIncreased'));

  // Drift: a partition deleted on the broker is declared again on the next pass.
  await (await client.channel()).deleteQueue(`${exchange}-1`);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.true(await client.exists(`${exchange}-1`));
  const drift = ctx.recorded.find((e) => e.reason === 'DriftCorrected');
  t.is(drift?.type, 'Warning');
  t.regex(drift?.message ?? '', new RegExp(`queue ${exchange}-1 absent → stream`));

  await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { partitions: 2 } });
  await attempt(clusterStreamFunction, csRef(name), ctx);
  const ready = findCondition(statusOf(await getCs(name)), 'Ready');
  t.is(ready?.reason, 'NotSupported');
  t.regex(ready?.message ?? '', /partitions cannot be removed/);
  t.true(await client.exists(`${exchange}-3`));
});

test('RabbitMQ refuses unknown settings with InvalidSpec before touching the broker, and a queue with other arguments with NotSupported', async (t) => {
  const env = await rabbitEnv();
  const iso = isolation('cs-rabbit-refuse');
  await prepare(t, iso.namespace);
  const prefix = rabbitPrefix(iso.topicPrefix);
  const client = await tenantClient(t, env, prefix, [`${prefix}bad`, `${prefix}old`]);
  await tenantBinding(iso.namespace, 'rabbit-tenant', env);
  const bad = csName('rabbit-bad');
  cleanupClusterStream(t, bad);
  await create(
    ClusterStreamKind,
    clusterStream({
      name: bad,
      topic: `${prefix}bad`,
      protocol: 'rabbitmq',
      url: env.hostPort,
      binding: 'rabbit-tenant',
      spec: { config: { 'retention.ms': '100', 'x-max-length': '5' } },
    }),
  );
  const { error } = await attempt(clusterStreamFunction, csRef(bad), csContext(iso.namespace, bad));
  t.is((error as { reason?: string } | undefined)?.reason, 'InvalidSpec');
  const message = findCondition(statusOf(await getCs(bad)), 'Ready')?.message ?? '';
  t.regex(message, /config\.retention\.ms is not a RabbitMQ queue argument/);
  t.regex(message, /config\.x-max-length does not apply to streams/);
  t.false(await client.exists(`${prefix}bad`, 'exchange'));

  // A queue someone declared as a classic queue is left as it is, and the difference reported.
  const ch = await client.channel();
  await ch.assertQueue(`${prefix}old`, { durable: true });
  const old = csName('rabbit-old');
  cleanupClusterStream(t, old);
  await create(
    ClusterStreamKind,
    clusterStream({
      name: old,
      topic: `${prefix}old`,
      protocol: 'rabbitmq',
      url: env.hostPort,
      binding: 'rabbit-tenant',
    }),
  );
  await attempt(clusterStreamFunction, csRef(old), csContext(iso.namespace, old));
  const ready = findCondition(statusOf(await getCs(old)), 'Ready');
  t.is(ready?.reason, 'NotSupported');
  t.regex(ready?.message ?? '', /exists with other arguments/);
});

test('two ClusterStreams with one exchange: one owns it, the other is ResourceConflict; deleting the owner with Delete removes the exchange and its queues and hands the name over', async (t) => {
  const env = await rabbitEnv();
  const iso = isolation('cs-rabbit-own');
  await prepare(t, iso.namespace);
  const exchange = `${rabbitPrefix(iso.topicPrefix)}shared`;
  const client = await tenantClient(t, env, rabbitPrefix(iso.topicPrefix), [exchange]);
  await tenantBinding(iso.namespace, 'rabbit-tenant', env);
  const manifest = (name: string, spec: Record<string, unknown>) =>
    clusterStream({
      name,
      topic: exchange,
      protocol: 'rabbitmq',
      url: env.hostPort,
      binding: 'rabbit-tenant',
      spec,
      storage: { reclaimPolicy: 'Delete' },
    });
  const owner = csName('rabbit-owner');
  const waiter = csName('rabbit-waiter');
  cleanupClusterStream(t, owner);
  cleanupClusterStream(t, waiter);
  await create(ClusterStreamKind, manifest(owner, {}));
  t.is(
    (await attempt(clusterStreamFunction, csRef(owner), csContext(iso.namespace, owner))).error,
    undefined,
  );
  await create(ClusterStreamKind, manifest(waiter, { partitions: 2 }));
  await attempt(clusterStreamFunction, csRef(waiter), csContext(iso.namespace, waiter));
  t.is(findCondition(statusOf(await getCs(waiter)), 'Ready')?.reason, 'ResourceConflict');
  t.false(await client.exists(`${exchange}-0`), 'the loser changed nothing');
  t.is((await claimFor(exchange))?.spec.holder.name, owner);

  await adminClient().delete(ClusterStreamKind, undefined, owner);
  t.is(
    (await attempt(clusterStreamFunction, csRef(owner), csContext(iso.namespace, owner))).outcome?.kind,
    'finalized',
  );
  t.false(await client.exists(exchange, 'exchange'));
  t.false(await client.exists(exchange));
  t.is(await claimFor(exchange), undefined);

  t.is(
    (await attempt(clusterStreamFunction, csRef(waiter), csContext(iso.namespace, waiter))).error,
    undefined,
  );
  t.is(findCondition(statusOf(await getCs(waiter)), 'Ready')?.reason, 'TopicReady');
  t.true(await client.exists(`${exchange}-1`));
  t.is((await claimFor(exchange))?.spec.holder.name, waiter);
});

test('credentials RabbitMQ refuses are BrokerAuthFailed and an address nobody answers is BrokerUnavailable, both retried, and no message carries the password', async (t) => {
  const env = await rabbitEnv();
  const iso = isolation('cs-rabbit-auth');
  await prepare(t, iso.namespace);
  const password = 'not-the-password-0123';
  await adminClient().create(Builtin.Secret, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'rabbit-wrong', namespace: iso.namespace },
    type: 'servicebinding.io/rabbitmq',
    stringData: {
      type: 'rabbitmq',
      username: env.tenant.username,
      password,
      'virtual-host': env.tenant.vhost,
    },
  });
  for (const [label, url, reason] of [
    ['auth', env.hostPort, 'BrokerAuthFailed'],
    ['down', '127.0.0.1:1', 'BrokerUnavailable'],
  ] as const) {
    const name = csName(`rabbit-${label}`);
    cleanupClusterStream(t, name);
    await create(
      ClusterStreamKind,
      clusterStream({
        name,
        topic: `${rabbitPrefix(iso.topicPrefix)}${label}`,
        protocol: 'rabbitmq',
        url,
        binding: 'rabbit-wrong',
      }),
    );
    const ctx = csContext(iso.namespace, name);
    const { error } = await attempt(clusterStreamFunction, csRef(name), ctx);
    t.is((error as { reason?: string } | undefined)?.reason, reason, label);
    t.false(error instanceof TerminalError, `${label} is retried`);
    const ready = findCondition(statusOf(await getCs(name)), 'Ready');
    t.is(ready?.reason, reason, label);
    t.false(JSON.stringify(await getCs(name)).includes(password), label);
    t.false(String((error as Error).message).includes(password), label);
  }
});
