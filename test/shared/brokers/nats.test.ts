/**
 * Pooled NATS connections against the real NATS of the test environment: a JetStream manager from
 * the pool creates and deletes a stream; the pool shares a connection per servers + credentials,
 * closes idle ones, and maps an unreachable server to BrokerUnavailableError.
 */
import test from 'ava';
import { BrokerUnavailableError } from '../../../shared/brokers/errors.js';
import { createBrokerClients, type BrokerClientsOptions } from '../../../shared/brokers/pool.js';
import { isolation, testEnv } from '../../helpers/env.js';
import { eventually } from '../../helpers/kube.js';

function pool(t: { teardown(fn: () => Promise<void>): void }, opts: BrokerClientsOptions = {}) {
  const clients = createBrokerClients(opts);
  t.teardown(() => clients.close());
  return clients;
}

test('a JetStream manager from the pool creates and deletes a stream', async (t) => {
  const { topicPrefix } = isolation('nats-stream');
  const name = `${topicPrefix.replace(/\./g, '_')}orders`;
  const { jsm } = await pool(t).jetstream([testEnv().natsUrl]);
  t.teardown(() =>
    jsm.streams.delete(name).then(
      () => undefined,
      () => undefined,
    ),
  );
  const info = await jsm.streams.add({ name, subjects: [`${topicPrefix}orders.>`], max_msgs: 10 });
  t.is(info.config.max_msgs, 10);
  t.true(await jsm.streams.delete(name));
  await t.throwsAsync(jsm.streams.info(name), { message: /stream not found/ });
});

test('the same servers and credentials share one connection, in any server order', async (t) => {
  const clients = pool(t);
  const url = testEnv().natsUrl;
  const hostPort = url.replace(/^nats:\/\//, '');
  const [a, b] = await Promise.all([
    clients.jetstream([url, hostPort], { token: 'same' }),
    clients.jetstream([hostPort, url], { token: 'same' }),
  ]);
  const c = await clients.jetstream([url, hostPort], { token: 'same' });
  t.is(a.nc, b.nc);
  t.is(a.nc, c.nc);
  t.is(clients.size().nats, 1);
});

test('different credentials get a different connection', async (t) => {
  const clients = pool(t);
  const url = testEnv().natsUrl;
  const a = await clients.jetstream([url], { token: 'one' });
  const b = await clients.jetstream([url], { token: 'two' });
  const c = await clients.jetstream([url]);
  t.not(a.nc, b.nc);
  t.not(a.nc, c.nc);
  t.not(b.nc, c.nc);
  t.is(clients.size().nats, 3);
});

test('an idle connection is closed, and the next call opens a new one', async (t) => {
  const clients = pool(t, { idleMs: 100, sweepMs: 20 });
  const first = await clients.jetstream([testEnv().natsUrl]);
  await eventually('the idle connection to close', () => Promise.resolve(first.nc.isClosed()), 10_000, 20);
  t.is(clients.size().nats, 0);
  const second = await clients.jetstream([testEnv().natsUrl]);
  t.not(second.nc, first.nc);
  t.false(second.nc.isClosed());
});

test('a connection carrying traffic is not closed as idle', async (t) => {
  const clients = pool(t, { idleMs: 1000, sweepMs: 20 });
  const { nc, jsm } = await clients.jetstream([testEnv().natsUrl]);
  // Keep using the manager (not the pool) for several idle periods.
  for (let i = 0; i < 30; i++) {
    await jsm.getAccountInfo();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.false(nc.isClosed());
  t.is(clients.size().nats, 1);
});

test('an unreachable server fails with BrokerUnavailableError, and the failure is not pooled', async (t) => {
  const clients = pool(t, { nats: { connectTimeoutMs: 1000 } });
  const err = await t.throwsAsync(clients.jetstream(['nats://127.0.0.1:1']), {
    instanceOf: BrokerUnavailableError,
  });
  t.is(err?.reason, 'BrokerUnavailable');
  await eventually('the failed entry to leave the pool', () => Promise.resolve(clients.size().nats === 0));
});

test('closing the pool closes its connections', async (t) => {
  const clients = createBrokerClients();
  const { nc } = await clients.jetstream([testEnv().natsUrl]);
  await clients.close();
  t.true(nc.isClosed());
  await t.throwsAsync(clients.jetstream([testEnv().natsUrl]), { instanceOf: BrokerUnavailableError });
});
